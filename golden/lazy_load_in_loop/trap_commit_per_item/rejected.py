from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Project


def stamp_render_counts(session: Session) -> list[tuple[int, int]]:
    projects = session.scalars(select(Project).options(selectinload(Project.renders)).order_by(Project.id)).all()
    counts = []
    for project in projects:
        counts.append((project.id, len(project.renders)))
        project.name = f"{project.name} ({len(project.renders)})"
        # each commit expires every object: the next project and its renders load again
        session.commit()
    return counts
