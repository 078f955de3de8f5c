from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import Token, Tokengroup, TokenTokengroup


def add_token_groups(session: Session, token: Token, groups: list[str]) -> list[str]:
    """Put the token into each named group that exists; return the names that do not."""
    missing = []
    tokengroups_by_name = {}
    if groups:
        tokengroups_by_name = {
            tokengroup.name: tokengroup
            for tokengroup in session.execute(
                select(Tokengroup).where(Tokengroup.name.in_(groups))
            ).scalars()
        }
    for group in groups:
        tokengroup = tokengroups_by_name.get(group)
        if tokengroup is None:
            missing.append(group)
            continue
        session.add(TokenTokengroup(token_id=token.id, tokengroup_id=tokengroup.id))
    session.flush()
    return missing
