from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, User


def activity_digest(session: Session, users: list[User]) -> dict[str, dict[str, list[str]]]:
    digest: dict[str, dict[str, list[str]]] = {}
    for user in users:
        per_project: dict[str, list[str]] = {}
        project_ids = [project.id for project in user.projects]
        renders_by_project = defaultdict(list)
        if project_ids:
            for render in session.scalars(
                select(Render)
                .where(Render.project_id.in_(project_ids))
                .order_by(Render.created_at.desc(), Render.id.desc())
            ):
                renders_by_project[render.project_id].append(render)
        for project in user.projects:
            recent = renders_by_project.get(project.id, [])
            per_project[project.name] = [render.prompt for render in recent]
        digest[user.email] = per_project
    return digest
