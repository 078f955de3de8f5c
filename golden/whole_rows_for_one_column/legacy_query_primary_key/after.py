from sqlalchemy.orm import Session

from renderapp.models import Project


def project_ids_of(session: Session, user_id: int) -> list[int]:
    return [project_id for (project_id,) in session.query(Project.id).filter(Project.user_id == user_id).order_by(Project.id)]
