from sqlalchemy import select

from renderapp.models import RenderChain


def run(module, session):
    # every chain, including any without renders
    chains = session.scalars(select(RenderChain).order_by(RenderChain.id)).all()
    return module.chain_heads(session, list(chains))
