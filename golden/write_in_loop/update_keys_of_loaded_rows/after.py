from sqlalchemy import select, update
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def archive_unlisted_chains(session: Session, project_id: int, listed: list[int]) -> None:
    """Archive the renders of the project's chains that are not listed, and mark those chains."""
    chains = {
        chain.id: chain
        for chain in session.scalars(select(RenderChain).where(RenderChain.project_id == project_id)).all()
    }
    for chain_id in listed:
        chains.pop(chain_id, None)
    chain_ids = []
    for chain_id, chain in chains.items():
        chain.name = f"{chain.name} (archived)"
        chain_ids.append(chain_id)
    if chain_ids:
        session.execute(
            update(Render)
            .where(Render.chain_id.in_(chain_ids))
            .values(status="archived")
        )
