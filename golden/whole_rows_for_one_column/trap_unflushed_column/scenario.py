from renderapp.models import Render


def run(module, session):
    with session.no_autoflush:
        session.get(Render, 1).status = "archived"
        found = module.statuses(session, 1)
    session.rollback()
    return found
