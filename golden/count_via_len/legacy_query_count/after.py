from sqlalchemy.orm import Session

from renderapp.models import Render


def finished_renders(session: Session, project_id: int) -> int:
    return (
        session.query(Render)
        .filter(Render.project_id == project_id, Render.status == "done")
        .count()
    )
