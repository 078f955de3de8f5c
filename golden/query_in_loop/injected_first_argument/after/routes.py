from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Project, Render

from . import repos


async def project_prompts(session: AsyncSession, projects: list[Project]) -> dict[int, list[str]]:
    prompts = {}
    project_ids = [project.id for project in projects]
    renders_by_project = await repos.renders_of_projects(
        session, project_ids=project_ids
    )
    for project in projects:
        renders = renders_by_project[project.id]
        prompts[project.id] = [render.prompt for render in renders]
    return prompts


async def gallery_counts(session: AsyncSession, renders: list[Render]) -> dict[int, int]:
    counts = {}
    render_ids = [render.id for render in renders]
    gallery_item_counts_by_render = await repos.gallery_count_for_render_ids(
        session, render_ids
    )
    for render in renders:
        counts[render.id] = gallery_item_counts_by_render[render.id]
    return counts
