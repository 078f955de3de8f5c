from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # every render: some with public items, some with private ones only, most with none
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return module.publication_flags(session, list(renders))


def run_empty(module, session):
    return module.publication_flags(session, [])
