from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    # a generator, as callers pass it: iterating it twice would see nothing the second time
    finished = (render for render in renders if render.status == "done")
    return module.credit_lines(session, finished)
