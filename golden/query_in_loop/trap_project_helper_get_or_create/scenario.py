import importlib

from sqlalchemy import select

from renderapp.models import User


def run(service, session):
    importlib.import_module(".database", service.__package__).session = session
    emails = list(session.scalars(select(User.email).order_by(User.id).limit(2)))
    # a new address twice: the second lookup finds the user the first one created
    emails = [*emails, "new@example.invalid", "new@example.invalid"]
    ids = service.ensure_users(emails)
    return ids, session.scalar(select(User.id).where(User.email == "new@example.invalid"))
