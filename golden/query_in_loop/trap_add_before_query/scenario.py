from datetime import datetime

from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).where(Render.id.in_([1, 2, 10])).order_by(Render.id)).all()
    counts = module.publish_to_gallery(session, renders, datetime(2024, 4, 1, 12, 0))
    # each count includes the item added in the same iteration (autoflush): 3, 1, 3
    assert counts == {1: 3, 2: 1, 10: 3}, counts
    return counts
