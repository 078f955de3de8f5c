from collections import defaultdict

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from renderapp.models import Project


def render_statuses(session: Session, projects: list[Project]) -> dict[int, list[tuple]]:
    statuses = {}
    project_ids = [project.id for project in projects]
    renders_by_project_id = defaultdict(list)
    if project_ids:
        for row in session.execute(
            text(
                "SELECT id, status, project_id FROM renders"
                " WHERE project_id IN :project_id ORDER BY created_at, id"
            ).bindparams(bindparam("project_id", expanding=True)),
            {"project_id": project_ids},
        ):
            renders_by_project_id[row.project_id].append(row)
    for project in projects:
        rows = renders_by_project_id.get(project.id, [])
        statuses[project.id] = [(row.id, row.status) for row in rows]
    return statuses
