from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def move_render(session: Session, render_id: int, project_id: int) -> int:
    render = session.get(Render, render_id)
    render.project = session.get(Project, project_id)
    # not flushed yet: render.project_id still holds the old project's id
    return render.project.id
