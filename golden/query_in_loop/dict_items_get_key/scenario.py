from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    # a user mentioned twice, an entry with no user, one with user 0 (skipped: falsy),
    # and a user that does not exist
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    mentions = [
        {"user_id": second},
        {"reply_to": 7},
        {"user_id": first},
        {"user_id": 0},
        {"user_id": second},
        {"user_id": 987654},
    ]
    return module.mention_names(session, mentions)


def run_empty(module, session):
    # no entry names a user: the loop queries nothing, nor may the batch
    return module.mention_names(session, [{"reply_to": 1}, {"user_id": 0}])
