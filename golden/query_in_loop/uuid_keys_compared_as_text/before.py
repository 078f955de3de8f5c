from sqlalchemy import select
from sqlalchemy.orm import Session

from uuidapp.models import LoginLog


def presence_sheet(session: Session, persons):
    """A row per person: their name, then the days they logged in on, in order."""
    sheet = []
    for person in persons:
        logs = session.scalars(
            select(LoginLog).where(LoginLog.person_id == person["id"]).order_by(LoginLog.day)
        ).all()
        sheet.append([person["full_name"], *[log.day for log in logs]])
    return sheet
