from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Project


def finished_by_project(session: Session, user_id: int) -> dict[str, list[int]]:
    projects = session.scalars(
        select(Project).options(selectinload(Project.renders)).where(Project.user_id == user_id).order_by(Project.id)
    ).all()
    return {project.name: [r.id for r in project.renders if r.chain_id is None] for project in projects}
