from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def latest_status_by_project(session: Session, projects: list[Project]) -> dict[int, str | None]:
    statuses: dict[int, str | None] = {}
    project_ids = [project.id for project in projects]
    first_render_by_project = {}
    if project_ids:
        for render in session.execute(
            select(Render)
            .where(Render.project_id.in_(project_ids))
            .order_by(Render.created_at.desc(), Render.id.desc())
        ).scalars():
            first_render_by_project.setdefault(render.project_id, render)
    for project in projects:
        latest = first_render_by_project.get(project.id)
        statuses[project.id] = latest.status if latest is not None else None
    return statuses
