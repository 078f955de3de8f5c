from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


class RendersDAL:
    @staticmethod
    def latest_for_project(session: Session, project_id: int, limit: int = 4) -> Sequence[Render]:
        return session.scalars(
            select(Render)
            .where(Render.project_id == project_id)
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(limit)
        ).all()

    @staticmethod
    def count_for_project(session: Session, project_id: int) -> int:
        return session.scalar(select(func.count(Render.id)).where(Render.project_id == project_id)) or 0


def dashboard(session: Session, projects: list[Project]) -> dict[int, tuple[list[Render], int]]:
    cards = {}
    for project in projects:
        latest = RendersDAL.latest_for_project(session, project.id, limit=4)
        total = RendersDAL.count_for_project(session, project.id)
        cards[project.id] = (list(latest), total)
    return cards
