from sqlalchemy import select
from sqlalchemy.orm import scoped_session, sessionmaker

from renderapp.models import Project

Session = scoped_session(sessionmaker())


def project_names() -> list[str]:
    session = Session()
    return list(session.scalars(select(Project.name).order_by(Project.id)))
