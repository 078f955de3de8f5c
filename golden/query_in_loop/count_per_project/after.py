from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def project_render_counts(session: Session, user_id: int) -> list[tuple[str, int]]:
    projects = session.scalars(
        select(Project).where(Project.user_id == user_id).order_by(Project.created_at, Project.id)
    ).all()
    rows = []
    project_ids = [project.id for project in projects]
    render_counts_by_project = {}
    if project_ids:
        render_counts_by_project = dict(
            session.execute(
                select(Render.project_id, func.count(Render.id))
                .where(Render.project_id.in_(project_ids))
                .group_by(Render.project_id)
            ).all()
        )
    for project in projects:
        total = render_counts_by_project.get(project.id, 0)
        rows.append((project.name, total))
    return rows
