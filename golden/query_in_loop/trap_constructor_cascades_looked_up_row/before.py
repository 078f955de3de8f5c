from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import GroupMembership, Token, Tokengroup


def join_groups(session: Session, token: Token, names: list[str]) -> int:
    """Put the token into each named group no group has yet, creating it; count them."""
    joined = 0
    for name in names:
        existing = session.execute(select(Tokengroup).filter_by(name=name)).scalar_one_or_none()
        if existing is None:
            session.add(GroupMembership(token.id, name))
            joined += 1
    session.flush()
    return joined
