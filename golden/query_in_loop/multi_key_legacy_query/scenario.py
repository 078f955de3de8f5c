from sqlalchemy import select

from pairapp.models import TaskRef

SEED = "pairapp"


def run(module, session):
    # etl/load has no rows; report/extract none though its parts occur elsewhere
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    return module.asset_names(session, refs)


def run_empty(module, session):
    return module.asset_names(session, [])
