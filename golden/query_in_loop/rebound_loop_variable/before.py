from sqlalchemy.orm import Session

from renderapp.models import Project


def project_names(session: Session, project_ids: list[str]) -> list[str]:
    """Names for ids that arrive as strings from a query string."""
    names = []
    for project_id in project_ids:
        project_id = int(project_id)
        project = session.get(Project, project_id)
        if project is not None:
            names.append(project.name)
    return names
