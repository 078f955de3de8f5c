from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def attach(session: Session, chain: RenderChain, render_ids: list[int]) -> list[int]:
    attached = []
    for render_id in render_ids:
        render = session.scalars(select(Render).where(Render.id == render_id, Render.chain_id.is_(None))).first()
        if render is not None:
            render.chain = chain
            attached.append(render.id)
    return attached
