from sqlalchemy.orm import Session

from renderapp.models import Render


def render_caption(session: Session, render_id: int) -> str:
    render = session.get(Render, render_id)
    return f"{render.prompt} ({render.project.name}, project {render.project_id})"
