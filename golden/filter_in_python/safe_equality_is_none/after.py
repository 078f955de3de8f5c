from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def loose_renders(session: Session) -> list[Render]:
    """The first project's renders that belong to no chain, oldest id first."""
    return session.scalars(
        select(Render)
        .where(Render.chain_id.is_(None), Render.project_id == 1)
        .order_by(Render.id)
    ).all()
