from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def loose_renders(session: Session) -> list[Render]:
    """The first project's renders that belong to no chain, oldest id first."""
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return [r for r in renders if r.chain_id is None and r.project_id == 1]
