from sqlalchemy.orm import Session

from renderapp.models import User


def describe(session: Session, events: list[dict[str, int]]) -> list[str]:
    """A user event names its subject, any other event its actor."""
    lines = []
    for event in events:
        if event.get("kind") == 1:
            user_id = event.get("subject")
        else:
            user_id = event.get("actor")
        user = session.get(User, user_id)
        lines.append(user.display_name if user else "?")
    return lines
