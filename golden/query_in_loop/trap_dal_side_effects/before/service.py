from sqlalchemy.orm import Session

from renderapp.models import Project

from .dal import RendersDAL


def dashboard(session: Session, projects: list[Project]) -> dict[int, tuple[list[int], int]]:
    cards = {}
    for project in projects:
        latest = RendersDAL.latest_for_project(session, project.id)
        total = RendersDAL.count_for_project(session, project.id)
        cards[project.id] = ([render.id for render in latest], total)
    return cards
