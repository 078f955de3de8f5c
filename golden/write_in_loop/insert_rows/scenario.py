from datetime import datetime

from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # ids 9, 10, 11 go to the new items in loop order (render 12, then 2, then 16)
    renders = session.scalars(select(Render).where(Render.id.in_([2, 12, 16]))).all()
    by_id = {render.id: render for render in renders}
    module.publish(session, [by_id[12], by_id[2], by_id[16]], datetime(2024, 4, 1, 12, 0))
    module.publish(session, [], datetime(2024, 4, 1, 12, 0))
