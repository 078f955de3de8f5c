from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    # user 4 has no credits row; user 3 has a zero balance
    users = session.scalars(select(User).order_by(User.id)).all()
    return module.credit_balances(session, users)


def run_empty(module, session):
    return module.credit_balances(session, [])
