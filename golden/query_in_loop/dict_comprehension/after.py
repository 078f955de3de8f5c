from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, User


def team_directory(session: Session, member_ids: list[int]) -> dict[str, Sequence[Project]]:
    users = session.scalars(select(User).where(User.id.in_(member_ids)).order_by(User.display_name)).all()
    user_ids = [user.id for user in users]
    projects_by_user = defaultdict(list)
    if user_ids:
        for project in session.scalars(
            select(Project).where(Project.user_id.in_(user_ids)).order_by(Project.created_at, Project.id)
        ):
            projects_by_user[project.user_id].append(project)
    directory = {
        user.email: projects_by_user.get(user.id, [])
        for user in users
    }
    return directory
