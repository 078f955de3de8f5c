from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    # every project, the ones without renders (or without finished renders) included
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.leaderboard(session, list(projects))
