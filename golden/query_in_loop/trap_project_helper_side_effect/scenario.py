import importlib

from sqlalchemy import select

from renderapp.models import Render, User


def run(service, session):
    database = importlib.import_module(".database", service.__package__)
    database.session = session
    renders = list(session.scalars(select(Render).order_by(Render.id).limit(12)).all())
    names = service.project_names(renders)
    owners = service.project_owner_ids(renders)
    emails = list(session.scalars(select(User.email).order_by(User.id).limit(4)))
    shown = service.display_names(emails)
    # the audit trail is part of the behaviour: one entry per lookup, in loop order
    return names, owners, shown, list(database.lookups)
