from renderapp.models import Render

from .projects import get_project, get_project_logged
from .users import get_by_email


def project_names(renders: list[Render]) -> list[str]:
    names = []
    for render in renders:
        names.append(get_project(render.project_id).name)
        names.append(render.prompt[:10])
    return names


def project_owner_ids(renders: list[Render]) -> list[int]:
    return [get_project_logged(render.project_id).user_id for render in renders]


def display_names(emails: list[str]) -> list[str]:
    return [get_by_email(email).display_name for email in emails]
