from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def delete_unfinished(session: Session, project_id: int) -> None:
    renders = session.scalars(
        select(Render).where(Render.project_id == project_id, Render.status.in_(("queued", "failed")))
    ).all()
    for render in renders:
        session.delete(render)
    session.flush()
