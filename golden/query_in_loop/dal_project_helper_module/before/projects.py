from renderapp.models import Project

from . import database


def get_project(project_id):
    """The project with this id, or None."""
    return database.get(Project, project_id)
