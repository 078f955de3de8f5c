from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, User


def team_directory(session: Session, member_ids: list[int]) -> dict[str, Sequence[Project]]:
    users = session.scalars(select(User).where(User.id.in_(member_ids)).order_by(User.display_name)).all()
    directory = {
        user.email: session.scalars(
            select(Project).where(Project.user_id == user.id).order_by(Project.created_at, Project.id)
        ).all()
        for user in users
    }
    return directory
