from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def failed_render_report(session: Session, user_id: int) -> list[tuple[str, list[int]]]:
    report = []
    projects = list(session.scalars(select(Project).where(Project.user_id == user_id).order_by(Project.id)))
    project_ids = [project.id for project in projects]
    renders_by_project = defaultdict(list)
    if project_ids:
        for render in session.scalars(
            select(Render).where(Render.project_id.in_(project_ids), Render.status == "failed").order_by(Render.id)
        ):
            renders_by_project[render.project_id].append(render)
    for project in projects:
        failed = renders_by_project.get(project.id, [])
        report.append((project.name, [r.id for r in failed]))
    return report
