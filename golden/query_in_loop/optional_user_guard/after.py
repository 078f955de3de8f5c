from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render, User


def first_renders(session: Session, projects: list[Project], user: User | None) -> dict[int, int | None]:
    """Per project, the visitor's first render there (an anonymous visitor has none)."""
    first = {}
    project_ids = [project.id for project in projects]
    first_render_by_project = {}
    if project_ids and user:
        for render in session.scalars(
            select(Render).where(Render.project_id.in_(project_ids), Render.user_id == user.id).order_by(Render.id)
        ):
            first_render_by_project.setdefault(render.project_id, render)
    for project in projects:
        found = (
            first_render_by_project.get(project.id)
            if user
            else None
        )
        first[project.id] = found.id if found is not None else None
    return first
