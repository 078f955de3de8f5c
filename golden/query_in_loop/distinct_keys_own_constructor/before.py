from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import TokenInfo


def save_token_info(session: Session, token_id: int, info: dict[str, str]) -> int:
    """Set each key of `info` on the token, adding the keys it lacks; count those added."""
    added = 0
    for key, value in info.items():
        stmt = select(TokenInfo).filter_by(token_id=token_id, Key=key)
        entry = session.execute(stmt).scalar_one_or_none()
        if entry:
            entry.Value = value
        else:
            entry = TokenInfo(token_id=token_id, Key=key, Value=value)
            session.add(entry)
            added += 1
    session.flush()
    return added
