from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def renders_for_projects(session: Session, projects: list[Project]) -> dict[int, Sequence[Render]]:
    result: dict[int, Sequence[Render]] = {}
    project_ids = [project.id for project in projects]
    renders_by_project = defaultdict(list)
    if project_ids:
        for render in session.scalars(
            select(Render).where(Render.project_id.in_(project_ids)).order_by(Render.created_at)
        ):
            renders_by_project[render.project_id].append(render)
    for project in projects:
        result[project.id] = renders_by_project.get(project.id, [])
    return result
