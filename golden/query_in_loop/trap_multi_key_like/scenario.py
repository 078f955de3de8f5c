from sqlalchemy import select

from pairapp.models import TaskRef

SEED = "pairapp"


def run(module, session):
    refs = list(session.scalars(select(TaskRef).order_by(TaskRef.id)))
    return module.assets_by_prefix(session, refs)
