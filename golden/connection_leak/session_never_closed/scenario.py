from sqlalchemy import select

from renderapp.models import Project


def run(module, session):
    module.SessionLocal.configure(bind=session.bind)
    module.rename_project(1, "renamed")
    return session.scalars(select(Project.name).order_by(Project.id)).all()
