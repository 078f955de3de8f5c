from sqlalchemy import text
from sqlalchemy.orm import Session

from renderapp.models import Project


def renders_with_status(session: Session, project: Project, status: str) -> list[tuple]:
    rows = session.execute(
        text(f"SELECT id, status FROM renders WHERE status = '{status}' AND project_id = {project.id} ORDER BY id")
    ).all()
    return [tuple(row) for row in rows]
