from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def render_ids_by_project(session: Session, user_id: int) -> dict[int, list[int]]:
    renders = session.scalars(select(Render).where(Render.user_id == user_id).order_by(Render.id)).all()
    grouped: dict[int, list[int]] = {}
    for render in renders:
        grouped.setdefault(render.project_id, []).append(render.id)
    return grouped
