from golden_support import dbapi_cursor
from sqlalchemy import select

from renderapp.models import Project

BACKENDS = ("postgresql",)  # psycopg's `%s` placeholders


def run(module, session):
    # projects 3 and 5 have no renders: they get an empty list, as before
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    return module.render_statuses(dbapi_cursor(session), list(projects))


def run_empty(module, session):
    return module.render_statuses(dbapi_cursor(session), [])
