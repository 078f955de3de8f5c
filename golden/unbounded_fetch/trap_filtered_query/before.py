from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def renders_page(session: Session, page: int) -> list[Render]:
    return session.scalars(
        select(Render).order_by(Render.id).limit(5).offset(5 * page)
    ).all()


def project_renders(session: Session, project_id: int) -> list[Render]:
    return session.scalars(
        select(Render).where(Render.project_id == project_id).order_by(Render.id)
    ).all()
