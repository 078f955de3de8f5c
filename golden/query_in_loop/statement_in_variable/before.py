from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def chain_heads(session: Session, chains: list[RenderChain]) -> dict[int, Render | None]:
    heads = {}
    for chain in chains:
        stmt = (
            select(Render)
            .where(Render.chain_id == chain.id)
            .order_by(Render.chain_position, Render.id)
        )
        heads[chain.id] = session.scalars(stmt).first()
    return heads
