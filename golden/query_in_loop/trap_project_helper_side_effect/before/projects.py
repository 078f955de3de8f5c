from renderapp.models import Project

from . import audit, database


def get_project(project_id):
    """The project with this id, or None."""
    return database.get(Project, project_id)


def get_project_logged(project_id):
    """The project with this id, or None."""
    return audit.get(Project, project_id)
