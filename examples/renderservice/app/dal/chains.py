from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.models import Render, RenderChain


class RenderChainsDAL:
    @staticmethod
    def get_by_id(session: Session, chain_id: int) -> RenderChain | None:
        return session.get(RenderChain, chain_id)

    @staticmethod
    def list_for_project(session: Session, project_id: int) -> Sequence[RenderChain]:
        return session.scalars(
            select(RenderChain).where(RenderChain.project_id == project_id).order_by(RenderChain.id)
        ).all()

    @staticmethod
    def renders_in_chain(session: Session, chain_id: int) -> Sequence[Render]:
        return session.scalars(
            select(Render).where(Render.chain_id == chain_id).order_by(Render.chain_position, Render.id)
        ).all()

    @staticmethod
    def remove_render(session: Session, chain_id: int, render_id: int) -> None:
        session.execute(
            update(Render)
            .where(Render.id == render_id, Render.chain_id == chain_id)
            .values(chain_id=None, chain_position=None)
        )

    @staticmethod
    def remove_renders(session: Session, chain_id: int) -> None:
        session.execute(update(Render).where(Render.chain_id == chain_id).values(chain_id=None, chain_position=None))

    @staticmethod
    def delete(session: Session, chain_id: int) -> None:
        session.execute(delete(RenderChain).where(RenderChain.id == chain_id))
