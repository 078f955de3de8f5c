from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from renderapp.models import User


def run(module, session):
    users = session.scalars(select(User).where(User.id.in_([1, 2, 3])).order_by(User.id)).all()
    snapshot = module.billing_snapshot(session, users)
    # Dev (4) has no credits row: .one() raises, and that is part of the behaviour to keep
    try:
        module.billing_snapshot(session, [session.get(User, 4)])
    except NoResultFound:
        pass
    else:
        raise AssertionError("billing_snapshot should raise for a user without credits")
    return snapshot
