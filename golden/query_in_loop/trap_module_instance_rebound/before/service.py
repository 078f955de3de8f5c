"""A user's projects, each with its latest renders, read through the table instances."""

from __future__ import annotations

from renderapp.models import Render

from .tables import Projects, Renders


async def latest_renders(user_id: int) -> dict[int, list[Render]]:
    projects = await Projects.get_projects_by_user_id(user_id)
    latest = {}
    for project in projects:
        latest[project.id] = await Renders.get_renders_by_project_id(project.id, limit=4)
    return latest
