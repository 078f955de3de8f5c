from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import User


def mention_names(session: Session, mentions: list[dict[str, int]]) -> list[str]:
    """An entry without a user stands for its author: the loop fills the user in first."""
    names = []
    mention_keys = [mention.get("user_id") for mention in mentions]
    users_by_id = {}
    if mention_keys:
        users_by_id = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_(mention_keys)))
        }
    for mention in mentions:
        entry = mention
        if "user_id" not in entry:
            entry["user_id"] = entry["author_id"]
        user = users_by_id.get(mention.get("user_id"))
        names.append(user.display_name if user is not None else "unknown")
    return names
