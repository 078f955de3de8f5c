from sqlalchemy import select

from pairapp.models import TaskRef

SEED = "pairapp"


def run(module, session):
    # etl and report repeat over the refs; "nightly" was read before the call (its
    # rows, an empty list, stay as given)
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    known = {"nightly": []}
    out = module.assets_per_task(session, refs, known)
    return out, sorted(known)


def run_empty(module, session):
    # every DAG read before: no query, before or after
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    return module.assets_per_task(session, refs, {"etl": [], "report": []})
