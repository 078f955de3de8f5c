from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from renderapp.models import Render, RenderChain


def delete_chain(session: Session, chain_id: int) -> None:
    """Unlink the chain's renders (they stay in the project), then delete the chain."""
    renders = session.scalars(select(Render).where(Render.chain_id == chain_id)).all()
    for render in renders:
        session.execute(
            update(Render).where(Render.id == render.id).values(chain_id=None, chain_position=None)
        )
    session.execute(delete(RenderChain).where(RenderChain.id == chain_id))
