import importlib

from sqlalchemy import select

from renderapp.models import Render


def run(service, session):
    # `database.get` is the project's helper on its module-level session, not Session.get
    importlib.import_module(".database", service.__package__).session = session
    renders = list(session.scalars(select(Render).order_by(Render.id).limit(12)).all())
    return service.project_names(renders), service.project_owner_ids(renders)
