from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import User


def describe(session: Session, events: list[dict[str, int]]) -> list[str]:
    """One line per event of an audit feed; a user event names its user."""
    lines = []
    user_ids = [event.get("subject") for event in events if event.get("kind") == 1]
    users_by_id = {}
    if user_ids:
        users_by_id = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    for event in events:
        if event.get("kind") == 1:
            user_id = event.get("subject")
            user = users_by_id.get(user_id)
            lines.append(f"user {user.display_name if user else '?'}")
        else:
            lines.append(f"event {event.get('kind')}")
    return lines
