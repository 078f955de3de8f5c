from sqlalchemy.orm import Session

from renderapp.models import Render


def finish(session: Session, renders: list[Render]) -> list[tuple[int, str]]:
    for render in renders:
        render.status = "done"
    session.commit()
    for render in renders:
        session.refresh(render)
    return [(render.id, render.status) for render in renders]
