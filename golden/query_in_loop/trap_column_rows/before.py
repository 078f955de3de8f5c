from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def render_rows(session: Session, projects: list[Project]) -> dict[int, list[tuple[int, str]]]:
    """(id, status) rows per project: the caller reads the rows' own shape."""
    rows = {}
    for project in projects:
        rows[project.id] = [
            (row.id, row.status)
            for row in session.execute(
                select(Render.id, Render.status).where(Render.project_id == project.id).order_by(Render.id)
            ).all()
        ]
    return rows
