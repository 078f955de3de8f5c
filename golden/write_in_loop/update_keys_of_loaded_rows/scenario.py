from sqlalchemy import select

from renderapp.models import Render, RenderChain


def run(module, session):
    # project 4 has chains 1, 2 and 4; chain 2 is listed: chains 1 and 4 are archived,
    # and the renders in no chain (chain_id NULL) stay as they were
    module.archive_unlisted_chains(session, 4, [2])
    session.flush()
    archived = session.scalars(select(Render.id).where(Render.status == "archived").order_by(Render.id)).all()
    names = session.scalars(select(RenderChain.name).order_by(RenderChain.id)).all()
    return archived, names


def run_empty(module, session):
    # every chain of project 4 listed: nothing to archive
    module.archive_unlisted_chains(session, 4, [1, 2, 4])
    return session.scalars(select(Render.id).where(Render.status == "archived")).all()
