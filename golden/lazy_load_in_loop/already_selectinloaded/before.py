from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Project


def project_sizes(session: Session, user_id: int) -> list[tuple[str, int]]:
    projects = session.scalars(
        select(Project)
        .options(selectinload(Project.renders))
        .where(Project.user_id == user_id)
        .order_by(Project.id)
    ).all()
    return [(project.name, len(project.renders)) for project in projects]


def project_sizes_loop(session: Session, user_id: int) -> list[tuple[str, int]]:
    projects = session.scalars(
        select(Project).options(selectinload(Project.renders)).where(Project.user_id == user_id)
    ).all()
    sizes = []
    for project in projects:
        sizes.append((project.name, len(project.renders)))
    return sizes
