from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    users = session.scalars(select(User).order_by(User.id)).all()
    return module.charge(session, users, 5)
