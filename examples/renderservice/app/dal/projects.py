from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Project, Render


class ProjectsDAL:
    @staticmethod
    def get_by_id(session: Session, project_id: int) -> Project | None:
        return session.get(Project, project_id)

    @staticmethod
    def get_by_user_id(session: Session, user_id: int) -> Sequence[Project]:
        return session.scalars(
            select(Project).where(Project.user_id == user_id).order_by(Project.created_at.desc(), Project.id.desc())
        ).all()

    @staticmethod
    def get_by_ids(session: Session, project_ids: Sequence[int]) -> dict[int, Project]:
        projects = session.scalars(select(Project).where(Project.id.in_(project_ids)))
        return {project.id: project for project in projects}

    @staticmethod
    def with_render_counts(session: Session, user_id: int) -> list[tuple[Project, int]]:
        """Every project of the user with its number of renders, zero included: one query."""
        rows = session.execute(
            select(Project, func.count(Render.id))
            .outerjoin(Render, Render.project_id == Project.id)
            .where(Project.user_id == user_id)
            .group_by(Project.id)
            .order_by(Project.created_at.desc(), Project.id.desc())
        ).all()
        return [(project, count) for project, count in rows]
