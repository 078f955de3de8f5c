from sqlalchemy import select

from renderapp.models import Project

BACKENDS = ("sqlite",)  # sqlite3.connect on the run's database file


def run(module, session):
    module.rename_project(session.bind.url.database, 1, "renamed")
    return session.scalars(select(Project.name).order_by(Project.id)).all()
