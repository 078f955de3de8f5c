import importlib

from sqlalchemy import select

from renderapp.models import Render, User


def run(service, session):
    # `database.get` is the project's helper on its module-level session, not Session.get
    importlib.import_module(".database", service.__package__).session = session
    renders = list(session.scalars(select(Render).order_by(Render.id).limit(12)).all())
    emails = list(session.scalars(select(User.email).order_by(User.id).limit(4)))
    # a repeated address and one nobody has: each keeps its own answer
    emails = [*emails, emails[0], "nobody@example.invalid"]
    return (
        service.project_names(renders),
        service.project_owner_ids(renders),
        service.display_names(emails),
    )
