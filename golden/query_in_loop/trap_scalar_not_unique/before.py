from sqlalchemy.orm import Session

from renderapp.models import Project


def owners_of(session: Session, names: list[str]) -> dict[str, int | None]:
    owners = {}
    for name in names:
        project = session.query(Project).filter(Project.name == name).scalar()
        owners[name] = project.user_id if project is not None else None
    return owners
