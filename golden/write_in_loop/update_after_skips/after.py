from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render

STUCK_AFTER = timedelta(hours=1)


def fail_stuck_renders(session: Session, renders: list[Render], now: datetime) -> list[int]:
    failed = []
    render_ids = []
    for render in renders:
        if now - render.created_at < STUCK_AFTER:
            continue
        render_ids.append(render.id)
        failed.append(render.id)
    if render_ids:
        session.execute(
            update(Render).where(Render.id.in_(render_ids)).values(status="failed")
        )
    return failed
