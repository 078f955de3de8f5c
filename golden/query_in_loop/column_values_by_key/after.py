from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def render_statuses(session: Session, projects: list[Project]) -> dict[int, list[str]]:
    """Status strings per project for the progress bar."""
    statuses = {}
    project_ids = [project.id for project in projects]
    statuses_by_project = defaultdict(list)
    if project_ids:
        for project_id, status in session.execute(
            select(Render.project_id, Render.status).where(Render.project_id.in_(project_ids)).order_by(Render.id)
        ):
            statuses_by_project[project_id].append(status)
    for project in projects:
        statuses[project.id] = list(
            statuses_by_project.get(project.id, [])
        )
    return statuses
