from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Render


class RendersDAL:
    @staticmethod
    def get_by_id(session: Session, render_id: int) -> Render | None:
        return session.get(Render, render_id)

    @staticmethod
    def get_by_ids(session: Session, render_ids: Sequence[int]) -> dict[int, Render]:
        renders = session.scalars(select(Render).where(Render.id.in_(render_ids)))
        return {render.id: render for render in renders}

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

    @staticmethod
    def latest_for_projects(session: Session, project_ids: Sequence[int], limit: int = 4) -> dict[int, list[Render]]:
        """The newest `limit` renders of each project in one query (ROW_NUMBER per project)."""
        ranked = (
            select(
                Render.id.label("render_id"),
                func.row_number()
                .over(partition_by=Render.project_id, order_by=(Render.created_at.desc(), Render.id.desc()))
                .label("rn"),
            )
            .where(Render.project_id.in_(project_ids))
            .subquery()
        )
        renders = session.scalars(
            select(Render)
            .join(ranked, ranked.c.render_id == Render.id)
            .where(ranked.c.rn <= limit)
            .order_by(Render.project_id, ranked.c.rn)
        )
        latest: dict[int, list[Render]] = defaultdict(list)
        for render in renders:
            latest[render.project_id].append(render)
        return {project_id: latest.get(project_id, []) for project_id in project_ids}

    @staticmethod
    def count_for_projects(session: Session, project_ids: Sequence[int]) -> dict[int, int]:
        rows = session.execute(
            select(Render.project_id, func.count(Render.id))
            .where(Render.project_id.in_(project_ids))
            .group_by(Render.project_id)
        ).all()
        counts = {project_id: count for project_id, count in rows}
        return {project_id: counts.get(project_id, 0) for project_id in project_ids}

    @staticmethod
    def recent_for_user(session: Session, user_id: int, limit: int = 100) -> Sequence[Render]:
        return session.scalars(
            select(Render)
            .where(Render.user_id == user_id)
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(limit)
        ).all()
