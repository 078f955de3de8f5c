from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project


def project_sizes(session: Session, user_id: int) -> list[tuple[str, int, str]]:
    projects = session.scalars(select(Project).where(Project.user_id == user_id).order_by(Project.id)).all()
    rows = []
    for project in projects:
        # renders: one SELECT per project; user: the same user each time (filtered on
        # user_id), which the identity map loads once, so it is not reported
        rows.append((project.name, len(project.renders), project.user.email))
    return rows
