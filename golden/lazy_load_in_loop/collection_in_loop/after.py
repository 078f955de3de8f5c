from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Project


def project_sizes(session: Session, user_id: int) -> list[tuple[str, int, str]]:
    projects = session.scalars(
        select(Project)
        .options(selectinload(Project.renders))
        .where(Project.user_id == user_id)
        .order_by(Project.id)
    ).all()
    rows = []
    for project in projects:
        # project.user is the one user the query filtered on: the identity map loads it once
        rows.append((project.name, len(project.renders), project.user.email))
    return rows
