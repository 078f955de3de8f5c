from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import User, UserCredits


def grant_bonus_credits(session: Session, users: list[User], amount: int) -> dict[int, int]:
    granted = {}
    for user in users:
        credits = session.scalars(select(UserCredits).where(UserCredits.user_id == user.id)).one_or_none()
        if credits is not None:
            credits.balance += amount
            # commit per user: one failing grant must not roll back the others
            session.commit()
            granted[user.id] = credits.balance
    return granted
