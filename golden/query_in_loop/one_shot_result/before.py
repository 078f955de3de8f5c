from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def failed_render_report(session: Session, user_id: int) -> list[tuple[str, list[int]]]:
    report = []
    for project in session.scalars(select(Project).where(Project.user_id == user_id).order_by(Project.id)):
        failed = session.scalars(
            select(Render).where(Render.project_id == project.id, Render.status == "failed").order_by(Render.id)
        ).all()
        report.append((project.name, [r.id for r in failed]))
    return report
