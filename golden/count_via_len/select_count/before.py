from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def finished_renders(session: Session, project_id: int) -> int:
    return len(session.scalars(select(Render).where(Render.project_id == project_id)).all())
