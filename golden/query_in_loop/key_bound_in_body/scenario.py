from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # renders of several users, most users more than once
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return module.attribution_lines(session, list(renders))
