from renderapp.models import Project, Render

from . import database
from .projects import get_projects
from .users import get_by_emails


def project_names(renders: list[Render]) -> list[str]:
    project_ids = [render.project_id for render in renders]
    project_by_project = get_projects(project_ids)
    return [project_by_project[render.project_id].name for render in renders]


def project_owner_ids(renders: list[Render]) -> list[int]:
    owners = []
    for render in renders:
        project = database.get(Project, render.project_id)
        owners.append(project.user_id)
    return owners


def display_names(emails: list[str]) -> list[str | None]:
    names = []
    user_by_email = get_by_emails(emails)
    for email in emails:
        user = user_by_email[email]
        names.append(user.display_name if user else None)
    return names
