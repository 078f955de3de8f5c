from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).where(Render.chain_id == 2).order_by(Render.id)).all()
    module.reorder_chain(session, list(renders))
    return [(r.id, r.chain_position) for r in renders]
