from sqlalchemy import select, update
from sqlalchemy.orm import Session

from renderapp.models import User, UserCredits


def charge(session: Session, users: list[User], cost: int) -> dict[int, int | None]:
    balances = {}
    for user in users:
        session.execute(
            update(UserCredits)
            .where(UserCredits.user_id == user.id)
            .values(balance=UserCredits.balance - cost)
        )
        balances[user.id] = session.scalar(select(UserCredits.balance).where(UserCredits.user_id == user.id))
    return balances
