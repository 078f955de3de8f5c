from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def first_project_needing_attention(
    session: Session, projects: Sequence[Project]
) -> tuple[Project, Sequence[Render]] | None:
    found = None
    for project in projects:
        failed = session.scalars(
            select(Render).where(Render.project_id == project.id, Render.status == "failed").order_by(Render.id)
        ).all()
        if failed:
            found = (project, failed)
            break
    return found
