from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def renders_with_project(session: Session, user_id: int) -> list[tuple[int, str]]:
    projects = session.scalars(select(Project).where(Project.user_id == user_id)).all()
    renders = session.scalars(
        select(Render).where(Render.project_id.in_([project.id for project in projects])).order_by(Render.id)
    ).all()
    # each render's project is one of `projects`: the identity map answers, no SQL
    return [(render.id, render.project.name) for render in renders]
