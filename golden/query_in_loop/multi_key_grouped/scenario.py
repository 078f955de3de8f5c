from sqlalchemy import select

from pairapp.models import TaskRef

SEED = "pairapp"


def run(module, session):
    # ref 5 repeats ref 1's pair; etl/load has no rows; report/extract has none though
    # both of its parts occur in other pairs
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    return module.assets_per_task(session, refs)


def run_empty(module, session):
    return module.assets_per_task(session, [])
