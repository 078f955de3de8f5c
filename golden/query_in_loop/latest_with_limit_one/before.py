from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def latest_status_by_project(session: Session, projects: list[Project]) -> dict[int, str | None]:
    statuses: dict[int, str | None] = {}
    for project in projects:
        latest = session.execute(
            select(Render)
            .where(Render.project_id == project.id)
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        statuses[project.id] = latest.status if latest is not None else None
    return statuses
