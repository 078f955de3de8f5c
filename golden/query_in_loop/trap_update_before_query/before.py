from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def requeue_failed(session: Session, projects: list[Project]) -> dict[int, Sequence[Render]]:
    queued = {}
    for project in projects:
        session.execute(
            update(Render)
            .where(Render.project_id == project.id, Render.status == "failed")
            .values(status="queued")
        )
        queued[project.id] = session.scalars(
            select(Render).where(Render.project_id == project.id, Render.status == "queued").order_by(Render.id)
        ).all()
    return queued
