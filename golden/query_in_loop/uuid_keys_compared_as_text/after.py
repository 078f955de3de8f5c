from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from uuidapp.models import LoginLog


def presence_sheet(session: Session, persons):
    """A row per person: their name, then the days they logged in on, in order."""
    sheet = []
    persons = list(persons)
    person_ids = [person["id"] for person in persons]
    login_logs_by_person_id = defaultdict(list)
    if person_ids:
        for login_log in session.scalars(
            select(LoginLog).where(LoginLog.person_id.in_(person_ids)).order_by(LoginLog.day)
        ):
            login_logs_by_person_id[str(login_log.person_id)].append(login_log)
    for person in persons:
        logs = login_logs_by_person_id.get(str(person["id"]), [])
        sheet.append([person["full_name"], *[log.day for log in logs]])
    return sheet
