from sqlalchemy.orm import Session

from renderapp.models import Render


def first_started(session: Session) -> int:
    return session.query(Render).filter(Render.status != "queued").order_by(Render.id).all()[0].id
