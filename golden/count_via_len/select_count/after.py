from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Render


def finished_renders(session: Session, project_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(
            select(Render).where(Render.project_id == project_id).subquery()
        )
    )
