from sqlalchemy.orm import Session

from renderapp.models import Project

from .dal import renders_of_project
from .injection import AUDIT


def prompts_by_project(session: Session, projects: list[Project]):
    prompts = {}
    for project in projects:
        renders = renders_of_project(session, project_id=project.id)
        prompts[project.id] = [render.prompt for render in renders]
    return prompts, list(AUDIT)
