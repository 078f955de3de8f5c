import importlib

from sqlalchemy import select

from renderapp.models import Render


def run(service, session):
    dal = importlib.import_module(".dal", service.__package__)
    dal.SessionLocal.configure(bind=session.bind)
    # eighteen renders in four projects: the cache makes it four queries, not eighteen,
    # and a second pass none at all
    renders = list(session.scalars(select(Render).order_by(Render.id)))
    return service.render_labels(renders), service.render_labels(renders)
