from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    mentions = [{"user_id": second}, {"author_id": first}, {"author_id": second}]
    names = module.mention_names(session, mentions)
    return names, mentions
