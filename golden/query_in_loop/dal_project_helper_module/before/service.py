from renderapp.models import Project, Render

from . import database
from .projects import get_project
from .users import get_by_email


def project_names(renders: list[Render]) -> list[str]:
    return [get_project(render.project_id).name for render in renders]


def project_owner_ids(renders: list[Render]) -> list[int]:
    owners = []
    for render in renders:
        project = database.get(Project, render.project_id)
        owners.append(project.user_id)
    return owners


def display_names(emails: list[str]) -> list[str | None]:
    names = []
    for email in emails:
        user = get_by_email(email)
        names.append(user.display_name if user else None)
    return names
