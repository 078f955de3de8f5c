from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def renders_for_projects(session: Session, projects: list[Project]) -> dict[int, Sequence[Render]]:
    result: dict[int, Sequence[Render]] = {}
    for project in projects:
        result[project.id] = session.scalars(
            select(Render).where(Render.project_id == project.id).order_by(Render.created_at)
        ).all()
    return result
