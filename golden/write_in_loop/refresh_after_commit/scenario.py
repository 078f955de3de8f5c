from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).where(Render.project_id == 1).order_by(Render.id)).all()
    return module.finish(session, list(renders))
