from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render

SHOWCASE_PROJECT_IDS = (2, 1, 2)


def showcase(session: Session) -> dict[int, list[str]]:
    """The prompts of each showcased project, oldest render first."""
    prompts = {}
    for project_id in SHOWCASE_PROJECT_IDS:
        renders = session.scalars(
            select(Render).where(Render.project_id == project_id).order_by(Render.id)
        ).all()
        prompts[project_id] = [render.prompt for render in renders]
    return prompts
