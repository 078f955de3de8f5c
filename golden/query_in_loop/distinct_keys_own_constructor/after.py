from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import TokenInfo


def save_token_info(session: Session, token_id: int, info: dict[str, str]) -> int:
    """Set each key of `info` on the token, adding the keys it lacks; count those added."""
    added = 0
    items = list(info.items())
    keys = [key for key, value in items]
    token_infos_by_Key = {}
    if keys:
        token_infos_by_Key = {
            token_info.Key: token_info
            for token_info in session.execute(
                select(TokenInfo).filter_by(token_id=token_id).where(TokenInfo.Key.in_(keys))
            ).scalars()
        }
    for key, value in items:
        entry = token_infos_by_Key.get(key)
        if entry:
            entry.Value = value
        else:
            entry = TokenInfo(token_id=token_id, Key=key, Value=value)
            session.add(entry)
            added += 1
    session.flush()
    return added
