from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.dashboard(session, list(projects))


def run_empty(module, session):
    return module.dashboard(session, [])
