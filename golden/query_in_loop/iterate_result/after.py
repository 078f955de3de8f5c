from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


@dataclass
class ChainStep:
    render_id: int
    position: int | None
    status: str


def chain_timelines(session: Session, project_id: int) -> dict[str, list[ChainStep]]:
    chains = session.scalars(
        select(RenderChain).where(RenderChain.project_id == project_id).order_by(RenderChain.id)
    ).all()
    timelines: dict[str, list[ChainStep]] = {}
    chain_ids = [chain.id for chain in chains]
    renders_by_chain = defaultdict(list)
    if chain_ids:
        for chain_render in session.scalars(
            select(Render).where(Render.chain_id.in_(chain_ids)).order_by(Render.chain_position)
        ):
            renders_by_chain[chain_render.chain_id].append(chain_render)
    for chain in chains:
        steps = []
        for render in renders_by_chain.get(chain.id, []):
            steps.append(ChainStep(render_id=render.id, position=render.chain_position, status=render.status))
        timelines[chain.name] = steps
    return timelines
