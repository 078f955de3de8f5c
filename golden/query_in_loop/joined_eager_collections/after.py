from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from renderapp.models import Project, User


def portfolio(session: Session, users: list[User]) -> dict[str, list[tuple[str, int]]]:
    """Each user's projects with their render counts, renders loaded with the projects."""
    result = {}
    user_ids = [user.id for user in users]
    projects_by_user = defaultdict(list)
    if user_ids:
        for project in (
            session.scalars(
                select(Project)
                .options(joinedload(Project.renders))
                .where(Project.user_id.in_(user_ids))
                .order_by(Project.created_at, Project.id)
            )
            .unique()
        ):
            projects_by_user[project.user_id].append(project)
    for user in users:
        projects = projects_by_user.get(user.id, [])
        result[user.email] = [(project.name, len(project.renders)) for project in projects]
    return result
