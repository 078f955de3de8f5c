from sqlalchemy.orm import Session

from renderapp.models import User


def reviewer_names(session: Session, reviews: list[dict[str, int]]) -> list[str]:
    """A review handed on to someone else names its delegate instead of its reviewer."""
    names = []
    for review in reviews:
        if review.get("open"):
            user_id = review.get("reviewer_id")
            match review.get("delegate_id"):
                case int() as user_id:
                    pass
            user = session.get(User, user_id)
            names.append(user.display_name if user is not None else "unknown")
    return names
