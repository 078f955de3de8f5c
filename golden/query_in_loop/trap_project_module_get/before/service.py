from renderapp.models import Project, Render

from . import database
from .projects import get as get_project


def project_names(renders: list[Render]) -> list[str]:
    return [get_project(render.project_id).name for render in renders]


def project_owner_ids(renders: list[Render]) -> list[int]:
    owners = []
    for render in renders:
        project = database.get(Project, render.project_id)
        owners.append(project.user_id)
    return owners
