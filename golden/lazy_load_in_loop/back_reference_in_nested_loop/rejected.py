from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Project, Render


def render_captions(session: Session, user_id: int) -> list[list[str]]:
    projects = session.scalars(
        select(Project)
        .options(selectinload(Project.renders).selectinload(Render.project))
        .where(Project.user_id == user_id)
        .order_by(Project.id)
    ).all()
    # render.project is the project of the outer loop: the identity map answers, no SQL
    return [[f"{render.project.name} #{render.id}" for render in project.renders] for project in projects]
