from sqlalchemy import event, select
from sqlalchemy.orm import Session

from groupapp.models import Token, Tokengroup, TokenTokengroup


def _group_per_link(session, context, instances):
    """Give every new link a group of its own, named after the group it links."""
    for obj in list(session.new):
        if isinstance(obj, TokenTokengroup):
            session.add(Tokengroup(f"linked-{obj.tokengroup_id}"))


def add_token_groups(session: Session, token: Token, groups: list[str]) -> list[str]:
    """Put the token into each named group that exists; return the names that do not."""
    missing = []
    event.listen(session, "before_flush", _group_per_link)
    for group in groups:
        tokengroup = session.execute(select(Tokengroup).filter_by(name=group)).scalar_one_or_none()
        if tokengroup is None:
            missing.append(group)
            continue
        session.add(TokenTokengroup(token_id=token.id, tokengroup_id=tokengroup.id))
    session.flush()
    event.remove(session, "before_flush", _group_per_link)
    return missing
