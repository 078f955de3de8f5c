"""Accounts 1-3 (3 is frozen); notes 1-4 on accounts 1 and 2."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ledgerapp.models import Account, Note


def seed(session: Session) -> None:
    session.add_all(
        [
            Account(id=1, owner="ana", frozen=False),
            Account(id=2, owner="ben", frozen=False),
            Account(id=3, owner="chloe", frozen=True),
        ]
    )
    session.flush()
    session.add_all(
        [
            Note(id=1, account_id=1, body="opened"),
            Note(id=2, account_id=1, body="limit raised"),
            Note(id=3, account_id=2, body="opened"),
            Note(id=4, account_id=2, body="card lost"),
        ]
    )
    session.flush()
