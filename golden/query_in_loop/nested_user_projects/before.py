from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, User


def activity_digest(session: Session, users: list[User]) -> dict[str, dict[str, list[str]]]:
    digest: dict[str, dict[str, list[str]]] = {}
    for user in users:
        per_project: dict[str, list[str]] = {}
        for project in user.projects:
            recent = session.scalars(
                select(Render)
                .where(Render.project_id == project.id)
                .order_by(Render.created_at.desc(), Render.id.desc())
            ).all()
            per_project[project.name] = [render.prompt for render in recent]
        digest[user.email] = per_project
    return digest
