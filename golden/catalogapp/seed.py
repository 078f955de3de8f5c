"""Groups "red" (id 1), "green" (2) and "blue" (3); red has two members, blue one;
accounts 1 and 2."""

from __future__ import annotations

from sqlalchemy.orm import Session

from catalogapp.models import Account, Group, Member


def seed(session: Session) -> None:
    session.add_all(
        [
            Group(id=n, name=name, title=name.title())
            for n, name in enumerate(("red", "green", "blue"), start=1)
        ]
    )
    session.flush()
    session.add_all(
        [
            Member(id=1, group_id=1, user_name="ana"),
            Member(id=2, group_id=1, user_name="bo"),
            Member(id=3, group_id=3, user_name="cy"),
        ]
    )
    session.flush()
    session.add_all([Account(id=1, secret="s1"), Account(id=2, secret="s2")])
    session.flush()
