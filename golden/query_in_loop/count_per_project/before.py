from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def project_render_counts(session: Session, user_id: int) -> list[tuple[str, int]]:
    projects = session.scalars(
        select(Project).where(Project.user_id == user_id).order_by(Project.created_at, Project.id)
    ).all()
    rows = []
    for project in projects:
        total = session.scalar(select(func.count(Render.id)).where(Render.project_id == project.id))
        rows.append((project.name, total))
    return rows
