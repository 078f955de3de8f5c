from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Render


class RendersDAL:
    @staticmethod
    def count_with_status(session: Session, project_id: int, status: str) -> int:
        stmt = select(func.count(Render.id)).where(Render.project_id == project_id, Render.status == status)
        return session.scalar(stmt) or 0
