from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def latest_render(session: Session, project_id: int) -> tuple[int, str]:
    render = session.scalars(
        select(Render)
        .where(Render.project_id == project_id)
        .order_by(Render.created_at.desc(), Render.id)
        .limit(1)
    ).all()[0]
    return render.id, render.status
