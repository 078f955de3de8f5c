from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render

from .injection import Clock, audited


@audited
def renders_of_project(clock: Clock, session: Session, project_id: int) -> list[Render]:
    return list(
        session.scalars(
            select(Render).where(Render.project_id == project_id).order_by(Render.id)
        )
    )
