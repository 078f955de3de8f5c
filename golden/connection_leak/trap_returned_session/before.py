from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()


def new_session(user_id: int) -> Session:
    session = SessionLocal()
    session.info["user_id"] = user_id
    return session


def project_names(user_id: int) -> list[str]:
    with new_session(user_id) as session:
        return list(session.scalars(select(Project.name).where(Project.user_id == user_id).order_by(Project.id)))
