from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import User, UserCredits


def billing_snapshot(session: Session, users: Sequence[User]) -> list[tuple[str, int]]:
    snapshot = []
    for user in users:
        credits = session.scalars(select(UserCredits).where(UserCredits.user_id == user.id)).one()
        snapshot.append((user.email, credits.balance))
    return snapshot
