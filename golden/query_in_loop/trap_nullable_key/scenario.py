from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    renders = session.scalars(select(Render).where(Render.project_id == 1).order_by(Render.id)).all()
    siblings = module.chain_siblings(session, renders)
    # render 1 has no chain: its "siblings" are the other unchained renders, found by IS NULL
    assert siblings[1] == [4, 6, 7, 8, 9, 15, 16, 17, 18], siblings[1]
    assert siblings[2] == [3, 5]
    return siblings
