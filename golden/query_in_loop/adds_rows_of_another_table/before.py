from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import Token, Tokengroup, TokenTokengroup


def add_token_groups(session: Session, token: Token, groups: list[str]) -> list[str]:
    """Put the token into each named group that exists; return the names that do not."""
    missing = []
    for group in groups:
        tokengroup = session.execute(select(Tokengroup).filter_by(name=group)).scalar_one_or_none()
        if tokengroup is None:
            missing.append(group)
            continue
        session.add(TokenTokengroup(token_id=token.id, tokengroup_id=tokengroup.id))
    session.flush()
    return missing
