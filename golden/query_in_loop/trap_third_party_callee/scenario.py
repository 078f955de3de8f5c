from sqlalchemy import select

from renderapp.models import Render


def run(service, session):
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return service.gallery_titles(session, list(renders))
