from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project


def project_names(session: Session, project_ids: list[str]) -> list[str]:
    """Names for ids that arrive as strings from a query string."""
    names = []
    int_project_ids = [int(project_id) for project_id in project_ids]
    projects_by_id = {}
    if int_project_ids:
        projects_by_id = {
            project.id: project
            for project in session.scalars(
                select(Project).where(Project.id.in_(int_project_ids))
            )
        }
    for project_id in project_ids:
        project_id = int(project_id)
        project = projects_by_id.get(project_id)
        if project is not None:
            names.append(project.name)
    return names
