from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render

PAGE_SIZE = 5


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(PAGE_SIZE).offset(PAGE_SIZE * page)
    ).all()


def gallery_export(session: Session) -> list[str]:
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return [render.prompt for render in renders]
