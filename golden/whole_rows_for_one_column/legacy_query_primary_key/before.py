from sqlalchemy.orm import Session

from renderapp.models import Project


def project_ids_of(session: Session, user_id: int) -> list[int]:
    return [p.id for p in session.query(Project).filter(Project.user_id == user_id).order_by(Project.id)]
