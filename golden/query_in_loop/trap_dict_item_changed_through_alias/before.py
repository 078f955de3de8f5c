from sqlalchemy.orm import Session

from renderapp.models import User


def mention_names(session: Session, mentions: list[dict[str, int]]) -> list[str]:
    """An entry without a user stands for its author: the loop fills the user in first."""
    names = []
    for mention in mentions:
        entry = mention
        if "user_id" not in entry:
            entry["user_id"] = entry["author_id"]
        user = session.get(User, mention.get("user_id"))
        names.append(user.display_name if user is not None else "unknown")
    return names
