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
    user_ids = [user.id for user in users]
    user_credits_by_user = {}
    if user_ids:
        user_credits_by_user = {
            user_credits.user_id: user_credits
            for user_credits in session.execute(
                select(UserCredits).where(UserCredits.user_id.in_(user_ids))
            ).scalars()
        }
    for user in users:
        credits = user_credits_by_user.get(user.id)
        balances.append(
            CreditBalance(user_id=user.id, email=user.email, balance=credits.balance if credits else 0)
        )
    return balances
