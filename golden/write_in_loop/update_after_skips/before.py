from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render

STUCK_AFTER = timedelta(hours=1)


def fail_stuck_renders(session: Session, renders: list[Render], now: datetime) -> list[int]:
    failed = []
    for render in renders:
        if now - render.created_at < STUCK_AFTER:
            continue
        session.execute(update(Render).where(Render.id == render.id).values(status="failed"))
        failed.append(render.id)
    return failed
