from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def jacket_renders(session: Session) -> list[Render]:
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return [r for r in renders if r.prompt.startswith("linen jacket") and r.project_id == 1]
