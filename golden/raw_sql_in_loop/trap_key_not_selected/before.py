from sqlalchemy import text
from sqlalchemy.orm import Session

from renderapp.models import Project


def render_statuses(session: Session, projects: list[Project]) -> dict[int, list[tuple]]:
    statuses = {}
    for project in projects:
        rows = session.execute(
            text(
                "SELECT id, status FROM renders"
                " WHERE project_id = :project_id ORDER BY created_at, id"
            ),
            {"project_id": project.id},
        ).all()
        statuses[project.id] = [(row.id, row.status) for row in rows]
    return statuses
