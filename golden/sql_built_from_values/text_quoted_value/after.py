from sqlalchemy import text
from sqlalchemy.orm import Session

from renderapp.models import Project


def renders_with_status(session: Session, project: Project, status: str) -> list[tuple]:
    rows = session.execute(
        text("SELECT id, status FROM renders WHERE status = :status AND project_id = :project_id ORDER BY id"),
        {"status": status, "project_id": project.id},
    ).all()
    return [tuple(row) for row in rows]
