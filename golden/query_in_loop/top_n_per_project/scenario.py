from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    # Project 1 has five finished renders; the newest two tie at minute 43 (5 and 6), so the
    # id tie-break decides their order, and render 1 (minute 42) beats the older 2 and 3.
    # Projects 3 and 5 are empty.
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.project_previews(session, projects)


def run_empty(module, session):
    return module.project_previews(session, [])
