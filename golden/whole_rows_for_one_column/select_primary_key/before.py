from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def done_render_ids(session: Session, project_id: int) -> list[int]:
    stmt_renders = session.scalars(
        select(Render).where(Render.project_id == project_id).order_by(Render.id)
    )
    return [render.id for render in stmt_renders.all()]


def failed_render_ids(session: Session) -> list[int]:
    return [r.id for r in session.scalars(select(Render).where(Render.status == "failed")).all()]
