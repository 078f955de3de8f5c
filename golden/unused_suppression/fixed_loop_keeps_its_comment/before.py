from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def renders_per_project(session: Session, projects: list[Project]) -> dict[int, list[str]]:
    # Batched since the comment was written: the suppression below is stale.
    prompts = defaultdict(list)
    project_ids = [project.id for project in projects]
    for render in session.scalars(
        select(Render).where(Render.project_id.in_(project_ids)).order_by(Render.id)
    ):
        prompts[render.project_id].append(render.prompt)
    result = {}
    for project in projects:  # n1fix: ignore[query-in-loop] few projects per page
        result[project.id] = prompts.get(project.id, [])
    return result


def render_counts(session: Session, projects: list[Project]) -> dict[int, int]:
    result = {}
    for project in projects:  # n1fix: ignore[query-in-loop] admin report, run by hand
        result[project.id] = session.scalar(
            select(func.count(Render.id)).where(Render.project_id == project.id)
        )
    return result
