from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    events = [
        {"kind": 1, "subject": first, "actor": second},
        {"kind": 2, "subject": first, "actor": second},
    ]
    return module.describe(session, events)
