from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.render_rows(session, list(projects))
