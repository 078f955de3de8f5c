from renderapp.models import Project

from . import database


def get_by_name(name):
    """The project with this name, or None."""
    return database.get(Project, name, field="name")
