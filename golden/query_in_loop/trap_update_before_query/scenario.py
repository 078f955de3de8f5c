from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    queued = module.requeue_failed(session, projects)
    # failed renders 4, 12 and 18 are now queued alongside 7 and 15
    assert [r.id for r in queued[1]] == [4, 7] and [r.id for r in queued[6]] == [18]
    return queued
