from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render


def requeue_by_id(session: Session, render_ids: list[int]) -> list[int]:
    missing = []
    for render_id in render_ids:
        result = session.execute(update(Render).where(Render.id == render_id).values(status="queued"))
        if result.rowcount == 0:
            missing.append(render_id)
    return missing
