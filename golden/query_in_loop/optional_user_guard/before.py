from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render, User


def first_renders(session: Session, projects: list[Project], user: User | None) -> dict[int, int | None]:
    """Per project, the visitor's first render there (an anonymous visitor has none)."""
    first = {}
    for project in projects:
        found = (
            session.scalars(
                select(Render).where(Render.project_id == project.id, Render.user_id == user.id).order_by(Render.id)
            ).first()
            if user
            else None
        )
        first[project.id] = found.id if found is not None else None
    return first
