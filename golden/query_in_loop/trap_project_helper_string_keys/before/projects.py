from renderapp.models import Project

from . import database


def get_project(project_id):
    """The project with this id, or None."""
    return database.get(Project, project_id)


def find_projects(project_ids):
    """The projects with these ids ("all" for every project), missing ones left out."""
    if "all" in project_ids:
        return database.session_query(Project).order_by(Project.id).all()
    projects = []
    for project_id in project_ids:
        project = get_project(project_id)
        if project:
            projects.append(project)
    return projects
