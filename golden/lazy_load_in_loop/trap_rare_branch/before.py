from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def failed_renders(session: Session) -> list[tuple[int, str]]:
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    failed = []
    for render in renders:
        if render.status == "failed":
            failed.append((render.id, render.project.name))
    return failed
