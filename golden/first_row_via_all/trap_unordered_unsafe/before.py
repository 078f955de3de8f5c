from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def some_render(session: Session, project_id: int) -> int:
    return session.scalars(select(Render).where(Render.project_id == project_id)).all()[0].id
