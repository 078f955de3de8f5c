from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render


def reorder_chain(session: Session, ordered: list[Render]) -> None:
    render_updates = [
        {"id": render.id, "chain_position": position}
        for position, render in enumerate(ordered, start=1)
    ]
    if render_updates:
        session.execute(update(Render), render_updates)
