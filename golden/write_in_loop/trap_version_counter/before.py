from sqlalchemy import update
from sqlalchemy.orm import Session

from ledgerapp.models import Account


def freeze_accounts(session: Session, accounts: list[Account]) -> None:
    for account in accounts:
        session.execute(update(Account).where(Account.id == account.id).values(frozen=True))
