from sqlalchemy.orm import Session

from renderapp.models import Render


def has_renders_by(session: Session, project_id: int, user_id: int) -> bool:
    query = session.query(Render) \
        .filter(Render.project_id == project_id) \
        .filter(Render.user_id == user_id)
    return len(query.all()) != 0
