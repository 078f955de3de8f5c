from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def projects_with_done_renders(session: Session) -> int:
    return len(
        session.query(Project).join(Project.renders).filter(Render.status == "done").all()
    )
