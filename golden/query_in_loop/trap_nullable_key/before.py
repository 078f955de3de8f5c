from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def chain_siblings(session: Session, renders: list[Render]) -> dict[int, list[int]]:
    siblings = {}
    for render in renders:
        same_chain = session.scalars(
            select(Render).where(Render.chain_id == render.chain_id).order_by(Render.chain_position, Render.id)
        ).all()
        siblings[render.id] = [other.id for other in same_chain if other.id != render.id]
    return siblings
