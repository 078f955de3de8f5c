from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def renders_outside_chain(session: Session) -> list[int]:
    stmt = select(Render).order_by(Render.id)
    renders = session.scalars(stmt).all()
    return [render.id for render in renders if render.chain_id != 3]
