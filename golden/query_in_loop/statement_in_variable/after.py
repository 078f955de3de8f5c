from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def chain_heads(session: Session, chains: list[RenderChain]) -> dict[int, Render | None]:
    heads = {}
    chain_ids = [chain.id for chain in chains]
    first_render_by_chain = {}
    if chain_ids:
        for render in session.scalars(
            select(Render)
            .where(Render.chain_id.in_(chain_ids))
            .order_by(Render.chain_position, Render.id)
        ):
            first_render_by_chain.setdefault(render.chain_id, render)
    for chain in chains:
        heads[chain.id] = first_render_by_chain.get(chain.id)
    return heads
