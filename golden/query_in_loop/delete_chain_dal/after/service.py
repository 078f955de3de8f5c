from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render

from .dal import RenderChainsDAL


def dissolve_chain(session: Session, chain_id: int) -> None:
    """Unlink the chain's renders (they stay in their project), then delete the chain."""
    renders = session.scalars(select(Render).where(Render.chain_id == chain_id)).all()
    render_ids = [render.id for render in renders]
    RenderChainsDAL.remove_renders(session, chain_id, render_ids)
    RenderChainsDAL.delete_chain(session, chain_id)
