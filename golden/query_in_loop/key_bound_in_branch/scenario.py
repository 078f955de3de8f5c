from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    # user events (one user twice, one that does not exist, one without a subject)
    # between events of other kinds whose subjects must not be looked up
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    events = [
        {"kind": 2, "subject": first},
        {"kind": 1, "subject": second},
        {"kind": 1, "subject": first},
        {"kind": 3},
        {"kind": 1, "subject": second},
        {"kind": 1, "subject": 987654},
        {"kind": 1},
    ]
    return module.describe(session, events)


def run_empty(module, session):
    # no user event: the loop queries nothing, nor may the batch
    return module.describe(session, [{"kind": 2, "subject": 1}, {"kind": 3}])
