"""The dashboard: a user's projects, each with its latest renders and how many it has."""

from __future__ import annotations

import asyncio
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
    project_ids = [project.id for project in projects]
    renders_by_project, render_counts_by_project = await asyncio.gather(
        RendersDAL.latest_for_projects(project_ids, limit=4),
        RendersDAL.count_for_projects(project_ids),
    )
    for project in projects:
        latest[project.id] = renders_by_project[project.id]
        counts[project.id] = render_counts_by_project[project.id]
    return [ProjectCard(project, latest[project.id], counts[project.id]) for project in projects]
