from sqlalchemy.orm import Session

from catalogapp import models


def passwords(session: Session, account_ids: list[int]) -> list[str]:
    found = []
    for account_id in account_ids:
        account = session.query(models.Account).filter_by(id=account_id).one_or_none()
        found.append(account.password if account is not None else "-")
    return found
