from sqlalchemy.orm import Session

from renderapp.models import Project


def owners_of(session: Session, names: list[str]) -> dict[str, int | None]:
    owners = {}
    project_by_name = {}
    if names:
        for project in session.query(Project).filter(Project.name.in_(names)):
            project_by_name.setdefault(project.name, project)
    for name in names:
        project = project_by_name.get(name)
        owners[name] = project.user_id if project is not None else None
    return owners
