from sqlalchemy.orm import Session

from renderapp.models import User


def describe(session: Session, events: list[dict[str, int]]) -> list[str]:
    """One line per event of an audit feed; a user event names its user."""
    lines = []
    for event in events:
        if event.get("kind") == 1:
            user_id = event.get("subject")
            user = session.get(User, user_id)
            lines.append(f"user {user.display_name if user else '?'}")
        else:
            lines.append(f"event {event.get('kind')}")
    return lines
