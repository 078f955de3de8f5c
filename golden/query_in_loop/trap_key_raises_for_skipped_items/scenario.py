from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    entries = [{"id": second, "type": 1}, {"name": 5}, {"id": first}]
    return module.reviewer_names(session, entries)
