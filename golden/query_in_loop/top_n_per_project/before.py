from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render

PREVIEW_SIZE = 3


def project_previews(session: Session, projects: Sequence[Project]) -> list[tuple[Project, list[Render]]]:
    previews = []
    for project in projects:
        recent = session.scalars(
            select(Render)
            .where(Render.project_id == project.id, Render.status == "done")
            .order_by(Render.created_at.desc(), Render.id.desc())
            .limit(PREVIEW_SIZE)
        ).all()
        previews.append((project, list(recent)))
    return previews
