from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Project, Render

from . import repos


async def project_prompts(session: AsyncSession, projects: list[Project]) -> dict[int, list[str]]:
    prompts = {}
    for project in projects:
        renders = await repos.renders_of_project(session, project_id=project.id)
        prompts[project.id] = [render.prompt for render in renders]
    return prompts


async def gallery_counts(session: AsyncSession, renders: list[Render]) -> dict[int, int]:
    counts = {}
    for render in renders:
        counts[render.id] = await repos.gallery_count(session, render.id)
    return counts
