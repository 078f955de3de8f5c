from sqlalchemy.orm import Session

from renderapp.models import User


def reviewer_names(session: Session, reviews: list[dict[str, int]]) -> list[str]:
    """A review nobody was assigned to goes to the author's reviewer of last resort,
    which the loop writes into the review before it looks the reviewer up."""
    names = []
    for review in reviews:
        if not review["reviewer_id"]:
            review["reviewer_id"] = review["fallback_id"]
        reviewer = session.get(User, review["reviewer_id"])
        names.append(reviewer.display_name if reviewer is not None else "unknown")
    return names
