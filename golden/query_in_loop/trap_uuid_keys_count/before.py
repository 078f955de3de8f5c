from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uuidapp.models import LoginLog


def login_counts(session: Session, persons):
    """How many days each person logged in on, by their name."""
    counts = {}
    for person in persons:
        counts[person["full_name"]] = session.scalar(
            select(func.count()).select_from(LoginLog).where(LoginLog.person_id == person["id"])
        )
    return counts
