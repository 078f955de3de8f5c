from sqlalchemy.orm import Session

from renderapp.models import User


def mention_names(session: Session, mentions: list[dict[str, int]]) -> list[str]:
    """The names a posted message mentions; an entry without a user is skipped."""
    names = []
    for mention in mentions:
        user_id = mention.get("user_id")
        if not user_id:
            continue
        user = session.get(User, user_id)
        names.append(user.display_name if user is not None else "unknown")
    return names
