from datetime import datetime

from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).where(Render.id.in_([2, 3])).order_by(Render.id)).all()
    module.publish(session, renders, datetime(2024, 4, 1, 12, 0))
