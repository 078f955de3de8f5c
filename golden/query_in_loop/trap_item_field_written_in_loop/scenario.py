from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    reviews = [
        {"reviewer_id": second, "fallback_id": first},
        {"reviewer_id": 0, "fallback_id": first},
    ]
    return module.reviewer_names(session, reviews), reviews
