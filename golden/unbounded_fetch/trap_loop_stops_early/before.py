from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(5).offset(5 * page)
    ).all()


def first_failed(session: Session) -> Render | None:
    for render in session.query(Render).order_by(Render.id).all():
        if render.status == "failed":
            return render
    return None
