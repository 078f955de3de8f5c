from sqlalchemy import select, update
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def archive_chains(
    session: Session, project_id: int, extra: dict[int | None, RenderChain]
) -> None:
    """Archive the renders of the project's chains and of the `extra` ones (None: the
    renders in no chain), and mark those chains."""
    chains = {
        chain.id: chain
        for chain in session.scalars(select(RenderChain).where(RenderChain.project_id == project_id)).all()
    }
    chains.update(extra)
    for chain_id, chain in chains.items():
        if chain is not None:
            chain.name = f"{chain.name} (archived)"
        session.execute(update(Render).where(Render.chain_id == chain_id).values(status="archived"))
