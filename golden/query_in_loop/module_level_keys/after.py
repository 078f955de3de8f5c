from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render

SHOWCASE_PROJECT_IDS = (2, 1, 2)


def showcase(session: Session) -> dict[int, list[str]]:
    """The prompts of each showcased project, oldest render first."""
    prompts = {}
    project_ids = list(SHOWCASE_PROJECT_IDS)
    renders_by_project_id = defaultdict(list)
    if project_ids:
        for render in session.scalars(
            select(Render).where(Render.project_id.in_(project_ids)).order_by(Render.id)
        ):
            renders_by_project_id[render.project_id].append(render)
    for project_id in project_ids:
        renders = renders_by_project_id.get(project_id, [])
        prompts[project_id] = [render.prompt for render in renders]
    return prompts
