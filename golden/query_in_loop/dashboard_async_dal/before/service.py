"""The dashboard: a user's projects, each with its latest renders and how many it has."""

from __future__ import annotations

from dataclasses import dataclass

from renderapp.models import Project, Render

from .dal import ProjectsDAL, RendersDAL


@dataclass
class ProjectCard:
    project: Project
    latest_renders: list[Render]
    render_count: int


async def dashboard(user_id: int) -> list[ProjectCard]:
    projects = await ProjectsDAL.get_by_user_id(user_id)
    latest = {}
    counts = {}
    for project in projects:
        latest[project.id] = await RendersDAL.latest_for_project(project.id, limit=4)
        counts[project.id] = await RendersDAL.count_for_project(project.id)
    return [ProjectCard(project, latest[project.id], counts[project.id]) for project in projects]
