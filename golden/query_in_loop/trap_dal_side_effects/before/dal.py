import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Render

log = logging.getLogger(__name__)
recently_viewed: list[int] = []  # read by the "recently viewed" sidebar


class RendersDAL:
    @staticmethod
    def latest_for_project(session: Session, project_id: int, limit: int = 4) -> list[Render]:
        log.info("loading the latest renders of project %s", project_id)
        stmt = (
            select(Render)
            .where(Render.project_id == project_id)
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(limit)
        )
        return list(session.scalars(stmt))

    @staticmethod
    def count_for_project(session: Session, project_id: int) -> int:
        recently_viewed.append(project_id)
        return session.scalar(select(func.count(Render.id)).where(Render.project_id == project_id)) or 0
