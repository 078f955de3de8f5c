from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import Render


def requeue(session: Session, renders: list[Render]) -> None:
    for render in renders:
        session.execute(update(Render).where(Render.id == render.id).values(status="queued"))
        session.commit()
