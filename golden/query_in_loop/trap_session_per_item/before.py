from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from renderapp.models import UserCredits


def balances_for(session_factory: sessionmaker[Session], user_ids: list[int]) -> dict[int, int]:
    balances = {}
    for user_id in user_ids:
        with session_factory() as session:
            credits = session.scalars(select(UserCredits).where(UserCredits.user_id == user_id)).one_or_none()
            balances[user_id] = credits.balance if credits is not None else 0
    return balances
