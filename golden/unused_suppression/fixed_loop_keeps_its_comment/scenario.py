from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = list(session.scalars(select(Project).order_by(Project.id)).all())
    return module.renders_per_project(session, projects), module.render_counts(session, projects)
