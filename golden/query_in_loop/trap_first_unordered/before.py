from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def latest_render_by_project(session: Session, projects: list[Project]) -> dict[int, Render | None]:
    latest = {}
    for project in projects:
        latest[project.id] = session.scalars(
            select(Render).where(Render.project_id == project.id).order_by(Render.created_at.desc())
        ).first()
    return latest
