from sqlalchemy.orm import Session, joinedload

from renderapp.models import Render


def done_renders(session: Session) -> list[tuple[int, str, str]]:
    renders = session.query(Render).options(joinedload(Render.user)).filter(Render.status == "done").order_by(Render.id).all()
    rows = []
    for render in renders:
        rows.append((render.id, render.user.display_name, render.project.name))
    return rows
