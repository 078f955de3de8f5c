from datetime import datetime

from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # render 4 failed and 7 is queued: skipped by the `continue`
    renders = session.scalars(select(Render).where(Render.id.in_([3, 4, 5, 7, 8])).order_by(Render.id)).all()
    return module.feature_renders(session, renders, datetime(2024, 4, 2, 8, 30))
