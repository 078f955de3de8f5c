from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from renderapp.models import Project, User


def portfolio(session: Session, users: list[User]) -> dict[str, list[tuple[str, int]]]:
    """Each user's projects with their render counts, renders loaded with the projects."""
    result = {}
    for user in users:
        projects = (
            session.scalars(
                select(Project)
                .options(joinedload(Project.renders))
                .where(Project.user_id == user.id)
                .order_by(Project.created_at, Project.id)
            )
            .unique()
            .all()
        )
        result[user.email] = [(project.name, len(project.renders)) for project in projects]
    return result
