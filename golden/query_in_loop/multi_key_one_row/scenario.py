from sqlalchemy import select

from pairapp.models import TaskRef

SEED = "pairapp"


def run(module, session):
    # etl/load and report/extract have no state; ref 5 repeats ref 1's pair
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    return module.task_states(session, refs)


def run_empty(module, session):
    return module.task_states(session, [])
