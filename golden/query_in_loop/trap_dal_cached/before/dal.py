import functools

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from renderapp.models import Project

SessionLocal = sessionmaker()  # bound to the engine at start-up


@functools.cache
def project_name(project_id: int) -> str | None:
    """Project names never change once created: remember them for the process's life."""
    with SessionLocal() as session:
        return session.scalar(select(Project.name).where(Project.id == project_id))
