from collections import defaultdict
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
    def latest_for_projects(
        session: Session, project_ids: list[int], limit: int = 4
    ) -> dict[int, Sequence[Render]]:
        """`latest_for_project` for many projects in one query.

        Maps each of `project_ids` to what `latest_for_project` returns for it.
        """
        if not project_ids:
            return {}
        renders_by_project_id = defaultdict(list)
        for render in session.scalars(
            select(Render)
            .where(Render.project_id.in_(project_ids))
            .order_by(Render.created_at.desc(), Render.id.desc())
        ):
            if len(renders_by_project_id[render.project_id]) < limit:
                renders_by_project_id[render.project_id].append(render)
        return {
            project_id: renders_by_project_id.get(project_id, [])
            for project_id in project_ids
        }

    @staticmethod
    def count_for_project(session: Session, project_id: int) -> int:
        return session.scalar(select(func.count(Render.id)).where(Render.project_id == project_id)) or 0

    @staticmethod
    def count_for_projects(session: Session, project_ids: list[int]) -> dict[int, int]:
        """`count_for_project` for many projects in one query.

        Maps each of `project_ids` to what `count_for_project` returns for it.
        """
        if not project_ids:
            return {}
        render_counts_by_project_id = dict(
            session.execute(
                select(Render.project_id, func.count(Render.id))
                .where(Render.project_id.in_(project_ids))
                .group_by(Render.project_id)
            ).all()
        )
        return {
            project_id: render_counts_by_project_id.get(project_id, 0) or 0
            for project_id in project_ids
        }


def dashboard(session: Session, projects: list[Project]) -> dict[int, tuple[list[Render], int]]:
    cards = {}
    project_ids = [project.id for project in projects]
    latest_by_project = RendersDAL.latest_for_projects(session, project_ids, limit=4)
    total_by_project = RendersDAL.count_for_projects(session, project_ids)
    for project in projects:
        latest = latest_by_project[project.id]
        total = total_by_project[project.id]
        cards[project.id] = (list(latest), total)
    return cards
