from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()


def project_names(session: Session) -> list[str]:
    try:
        return list(session.scalars(select(Project.name).order_by(Project.id)))
    finally:
        session.close()


def names() -> list[str]:
    session = SessionLocal()
    return project_names(session)
