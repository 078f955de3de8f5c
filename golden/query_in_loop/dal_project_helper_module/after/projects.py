from renderapp.models import Project

from . import database


def get_project(project_id):
    """The project with this id, or None."""
    return database.get(Project, project_id)


def get_projects(project_ids):
    """`get_project` for many projects in one query.

    Maps each of `project_ids` to what `get_project` returns for it.
    """
    if not project_ids:
        return {}
    projects_by_id = {
        project.id: project
        for project in (
            database.session.query(Project)
            .filter(Project.id.in_(project_ids))
        )
    }
    return {project_id: projects_by_id.get(project_id) for project_id in project_ids}
