from sqlalchemy.orm import Session

from renderapp.models import User


def resolve_mentions(session: Session, payload: dict) -> list[str | None]:
    """Display names for the user ids a client sent, in the order it sent them."""
    users = [session.get(User, user_id) for user_id in payload["mentioned_user_ids"]]
    return [user.display_name if user is not None else None for user in users]
