from sqlalchemy import select

from renderapp.models import User


def run(module, session):
    first, second = session.scalars(select(User.id).order_by(User.id).limit(2)).all()
    reviews = [
        {"open": 1, "reviewer_id": first, "delegate_id": second},
        {"open": 1, "reviewer_id": first},
        {"open": 0, "reviewer_id": second},
    ]
    return module.reviewer_names(session, reviews)
