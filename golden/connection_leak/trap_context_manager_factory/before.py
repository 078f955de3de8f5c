from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()


@contextmanager
def session_scope():
    session = SessionLocal()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def rename_project(project_id: int, name: str) -> None:
    with session_scope() as session:
        session.get(Project, project_id).name = name
