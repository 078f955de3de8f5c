from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project


def stamp(session: Session, project: Project, count: int) -> None:
    project.name = f"{project.name} ({count})"
    session.commit()


def stamp_render_counts(session: Session) -> list[tuple[int, int]]:
    projects = session.scalars(select(Project).order_by(Project.id)).all()
    counts = []
    for project in projects:
        counts.append((project.id, len(project.renders)))
        # stamp() commits: every object expires, the next project and its renders load again
        stamp(session, project, len(project.renders))
    return counts
