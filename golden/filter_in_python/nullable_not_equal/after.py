from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from renderapp.models import Render


def renders_outside_chain(session: Session) -> list[int]:
    stmt = (
        select(Render)
        .where(or_(Render.chain_id != 3, Render.chain_id.is_(None)))
        .order_by(Render.id)
    )
    renders = session.scalars(stmt).all()
    return [render.id for render in renders]
