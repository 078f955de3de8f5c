from datetime import datetime

from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def render_folder(render: Render) -> str:
    return f"projects/{render.project.id}/renders"


def queue_render(session: Session, project: Project, prompt: str) -> str:
    """Queue a render and name its output folder, before anything is flushed."""
    render = Render(project=project, user_id=project.user_id, prompt=prompt, created_at=datetime(2024, 3, 2))
    session.add(render)
    return render_folder(render)
