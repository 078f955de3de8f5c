from sqlalchemy.orm import Session

from renderapp.models import Project

from .dal import RenderQueueDAL


def start_one_per_project(session: Session, projects: list[Project]) -> dict[int, int | None]:
    started = {}
    for project in projects:
        render = RenderQueueDAL.start_next(session, project.id)
        started[project.id] = render.id if render is not None else None
    return started
