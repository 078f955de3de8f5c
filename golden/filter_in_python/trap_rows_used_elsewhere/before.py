from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def chain_summary(session: Session) -> tuple[int, list[int]]:
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    unchained = [r.id for r in renders if r.chain_id is None]
    return len(renders), unchained
