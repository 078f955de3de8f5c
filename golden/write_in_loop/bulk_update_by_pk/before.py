from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render


def reorder_chain(session: Session, ordered: list[Render]) -> None:
    for position, render in enumerate(ordered, start=1):
        session.execute(update(Render).where(Render.id == render.id).values(chain_position=position))
