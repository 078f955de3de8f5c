from sqlalchemy import select

from renderapp.models import Project


def run(service, session):
    projects = list(session.scalars(select(Project).order_by(Project.id)))
    return service.prompts_by_project(session, projects)
