from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render

PREVIEW_SIZE = 3


def project_previews(session: Session, projects: Sequence[Project]) -> list[tuple[Project, list[Render]]]:
    previews = []
    project_ids = [project.id for project in projects]
    renders_by_project = defaultdict(list)
    if project_ids:
        for render in session.scalars(
            select(Render)
            .where(Render.project_id.in_(project_ids), Render.status == "done")
            .order_by(Render.created_at.desc(), Render.id.desc())
        ):
            if len(renders_by_project[render.project_id]) < PREVIEW_SIZE:
                renders_by_project[render.project_id].append(render)
    for project in projects:
        recent = renders_by_project.get(project.id, [])
        previews.append((project, list(recent)))
    return previews
