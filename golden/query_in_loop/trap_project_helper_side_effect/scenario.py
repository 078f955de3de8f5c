import importlib

from sqlalchemy import select

from renderapp.models import Render


def run(service, session):
    database = importlib.import_module(".database", service.__package__)
    database.session = session
    renders = list(session.scalars(select(Render).order_by(Render.id).limit(12)).all())
    names = service.project_names(renders)
    owners = service.project_owner_ids(renders)
    # the audit trail is part of the behaviour: one entry per lookup, in loop order
    return names, owners, list(database.lookups)
