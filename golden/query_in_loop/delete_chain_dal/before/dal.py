from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


class RenderChainsDAL:
    @staticmethod
    def remove_render(session: Session, chain_id: int, render_id: int) -> None:
        """Take one render out of its chain; it stays in its project."""
        session.execute(
            update(Render)
            .where(Render.chain_id == chain_id, Render.id == render_id)
            .values(chain_id=None, chain_position=None)
        )

    @staticmethod
    def delete_chain(session: Session, chain_id: int) -> None:
        session.execute(delete(RenderChain).where(RenderChain.id == chain_id))
