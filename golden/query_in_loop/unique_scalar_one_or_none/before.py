from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import User, UserCredits


@dataclass
class CreditBalance:
    user_id: int
    email: str
    balance: int


def credit_balances(session: Session, users: Sequence[User]) -> list[CreditBalance]:
    balances = []
    for user in users:
        credits = session.execute(select(UserCredits).where(UserCredits.user_id == user.id)).scalar_one_or_none()
        balances.append(
            CreditBalance(user_id=user.id, email=user.email, balance=credits.balance if credits else 0)
        )
    return balances
