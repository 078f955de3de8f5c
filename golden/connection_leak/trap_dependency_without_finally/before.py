from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()


def get_db():
    db = SessionLocal()
    yield db


def project_names(db: Session) -> list[str]:
    return list(db.scalars(select(Project.name).order_by(Project.id)))
