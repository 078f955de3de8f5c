from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


class RenderChainsDAL:
    @staticmethod
    def for_project(session: Session, project_id: int) -> list[RenderChain]:
        stmt = select(RenderChain).where(RenderChain.project_id == project_id).order_by(RenderChain.id)
        return list(session.scalars(stmt))

    @staticmethod
    def renders_in_chain(session: Session, chain_id: int) -> list[Render]:
        stmt = select(Render).where(Render.chain_id == chain_id).order_by(Render.chain_position, Render.id)
        return list(session.scalars(stmt))

    @staticmethod
    def renders_in_chains(session: Session, chain_ids: list[int]) -> dict[int, list[Render]]:
        """`renders_in_chain` for many chains in one query."""
        if not chain_ids:
            return {}
        renders_by_chain = defaultdict(list)
        stmt = select(Render).where(Render.chain_id.in_(chain_ids)).order_by(Render.chain_position, Render.id)
        for render in session.scalars(stmt):
            renders_by_chain[render.chain_id].append(render)
        return {chain_id: list(renders_by_chain[chain_id]) for chain_id in chain_ids}
