from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def statuses(session: Session, project_id: int) -> list[str]:
    return [
        r.status
        for r in session.scalars(
            select(Render).where(Render.project_id == project_id).order_by(Render.id)
        ).all()
    ]
