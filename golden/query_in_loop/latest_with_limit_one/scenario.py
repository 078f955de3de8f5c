from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.latest_status_by_project(session, list(projects))
