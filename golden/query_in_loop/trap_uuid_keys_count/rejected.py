from sqlalchemy import func, select
from sqlalchemy.orm import Session

from uuidapp.models import LoginLog


def login_counts(session: Session, persons):
    """How many days each person logged in on, by their name."""
    counts = {}
    persons = list(persons)
    person_ids = [person["id"] for person in persons]
    login_log_counts_by_person_id = {}
    if person_ids:
        login_log_counts_by_person_id = dict(
            session.execute(
                select(LoginLog.person_id, func.count())
                .where(LoginLog.person_id.in_(person_ids))
                .group_by(LoginLog.person_id)
            ).all()
        )
    for person in persons:
        counts[person["full_name"]] = login_log_counts_by_person_id.get(person["id"], 0)
    return counts
