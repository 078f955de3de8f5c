from sqlalchemy import select

from renderapp.models import Project


def run(service, session):
    # queued renders: 7 in project 1, 15 in project 4; the others have none
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return service.start_one_per_project(session, list(projects))
