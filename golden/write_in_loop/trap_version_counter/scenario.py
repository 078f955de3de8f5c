from sqlalchemy import select

from ledgerapp.models import Account

SEED = "ledgerapp"


def run(module, session):
    accounts = session.scalars(select(Account).where(Account.frozen.is_(False)).order_by(Account.id)).all()
    module.freeze_accounts(session, accounts)
    return [account.id for account in accounts]
