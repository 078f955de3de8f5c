from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).where(Render.status == "failed").order_by(Render.id)).all()
    ids = [render.id for render in renders]
    module.requeue(session, renders)
    return ids
