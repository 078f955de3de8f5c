from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def attach(session: Session, chain: RenderChain, render_ids: list[int]) -> list[int]:
    attached = []
    render_by_id = {}
    if render_ids:
        render_by_id = {render.id: render for render in session.scalars(select(Render).where(Render.id.in_(render_ids), Render.chain_id.is_(None)))}
    for render_id in render_ids:
        render = render_by_id.get(render_id)
        if render is not None:
            render.chain = chain
            attached.append(render.id)
    return attached
