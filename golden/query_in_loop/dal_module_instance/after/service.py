"""A user's projects, each with its latest renders, read through the table instances."""

from __future__ import annotations

from renderapp.models import Render

from .tables import Projects, Renders


async def latest_renders(user_id: int) -> dict[int, list[Render]]:
    projects = await Projects.get_projects_by_user_id(user_id)
    latest = {}
    project_ids = [project.id for project in projects]
    renders_by_project = await Renders.get_renders_by_project_ids(project_ids, limit=4)
    for project in projects:
        latest[project.id] = renders_by_project[project.id]
    return latest
