from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def project_covers(session: Session, user_id: int) -> dict[str, Render | None]:
    projects = session.scalars(select(Project).where(Project.user_id == user_id).order_by(Project.name)).all()
    covers: dict[str, Render | None] = {}
    project_ids = [project.id for project in projects]
    first_render_by_project = {}
    if project_ids:
        for render in session.scalars(
            select(Render)
            .where(Render.project_id.in_(project_ids), Render.status == "done")
            .order_by(Render.created_at.desc(), Render.id.desc())
        ):
            first_render_by_project.setdefault(render.project_id, render)
    for project in projects:
        covers[project.name] = first_render_by_project.get(project.id)
    return covers
