from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def renders_with_project_name(session: Session, project_id: int) -> list[tuple[int, str]]:
    criteria = [Render.project_id == project_id, Render.status != "failed"]
    renders = session.scalars(select(Render).where(*criteria).order_by(Render.id)).all()
    # every render points at the one project: loaded once, then the identity map answers
    return [(render.id, render.project.name) for render in renders]
