import sqlalchemy as sa
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def archive_and_count(session: Session, projects: list[Project]) -> dict[int, int]:
    """Mark each project's queued renders failed, then count what is left queued."""
    remaining: dict[int, int] = {}
    for project in projects:
        session.execute(
            sa.update(Render)
            .where(Render.project_id == project.id, Render.status == "queued")
            .values(status="failed")
        )
        remaining[project.id] = session.scalar(
            sa.select(sa.func.count(Render.id)).where(Render.project_id == project.id, Render.status == "queued")
        )
    return remaining
