from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    # project 1: renders 1 (two public items) and 5 (one); 4: render 10 (two) and 13
    # (private only); 3: no renders, so sum() of nothing
    projects = session.scalars(select(Project).where(Project.id.in_([1, 3, 4])).order_by(Project.id)).all()
    return [module.project_stats(session, project) for project in projects]
