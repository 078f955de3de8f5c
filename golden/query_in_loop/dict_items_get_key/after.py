from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import User


def mention_names(session: Session, mentions: list[dict[str, int]]) -> list[str]:
    """The names a posted message mentions; an entry without a user is skipped."""
    names = []
    user_ids = [
        mention.get("user_id") for mention in mentions if mention.get("user_id")
    ]
    users_by_id = {}
    if user_ids:
        users_by_id = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    for mention in mentions:
        user_id = mention.get("user_id")
        if not user_id:
            continue
        user = users_by_id.get(user_id)
        names.append(user.display_name if user is not None else "unknown")
    return names
