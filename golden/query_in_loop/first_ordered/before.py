from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def project_covers(session: Session, user_id: int) -> dict[str, Render | None]:
    projects = session.scalars(select(Project).where(Project.user_id == user_id).order_by(Project.name)).all()
    covers: dict[str, Render | None] = {}
    for project in projects:
        covers[project.name] = session.scalars(
            select(Render)
            .where(Render.project_id == project.id, Render.status == "done")
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(1)
        ).first()
    return covers
