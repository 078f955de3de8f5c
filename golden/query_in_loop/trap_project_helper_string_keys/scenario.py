import importlib

from sqlalchemy import select

from renderapp.models import Project


def run(projects, session):
    importlib.import_module(".database", projects.__package__).session = session
    service = importlib.import_module(".service", projects.__package__)
    ids = list(session.scalars(select(Project.id).order_by(Project.id).limit(3)))
    if session.get_bind().dialect.name == "sqlite":
        # SQL matches the string "1" to the integer 1; a dict keyed by the rows' ids would
        # not. (psycopg 3 sends strings as varchar, which PostgreSQL will not compare with
        # an integer, so there the ids stay integers.)
        ids = [str(i) for i in ids]
    return service.project_names(ids), len(service.project_names(["all"]))
