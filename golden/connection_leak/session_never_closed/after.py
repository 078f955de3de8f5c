from sqlalchemy.orm import sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()


def rename_project(project_id: int, name: str) -> None:
    with SessionLocal() as session:
        project = session.get(Project, project_id)
        project.name = name
        session.commit()
