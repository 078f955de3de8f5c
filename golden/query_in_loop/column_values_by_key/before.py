from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def render_statuses(session: Session, projects: list[Project]) -> dict[int, list[str]]:
    """Status strings per project for the progress bar."""
    statuses = {}
    for project in projects:
        statuses[project.id] = list(
            session.scalars(select(Render.status).where(Render.project_id == project.id).order_by(Render.id))
        )
    return statuses
