from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render


def archive_by_chain(session: Session, chain_ids: list[int | None]) -> None:
    """Archive the renders of each chain; None stands for the renders in no chain."""
    for chain_id in chain_ids:
        session.execute(update(Render).where(Render.chain_id == chain_id).values(status="archived"))
