from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()


class ProjectRepository:
    def __init__(self) -> None:
        session = SessionLocal()
        self.session = session

    def names(self) -> list[str]:
        return list(self.session.scalars(select(Project.name).order_by(Project.id)))

    def close(self) -> None:
        self.session.close()
