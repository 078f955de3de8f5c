from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Project, Render

from .repos import GalleryRepo, RendersRepo


async def project_prompts(session: AsyncSession, projects: list[Project]) -> dict[int, list[str]]:
    prompts = {}
    project_ids = [project.id for project in projects]
    renders_by_project = await RendersRepo.by_projects(session, project_ids)
    for project in projects:
        renders = renders_by_project[project.id]
        prompts[project.id] = [render.prompt for render in renders]
    return prompts


async def gallery_counts(session: AsyncSession, renders: list[Render]) -> dict[int, int]:
    render_ids = [render.id for render in renders]
    gallery_item_counts_by_render = await GalleryRepo.count_for_renders(
        session, render_ids
    )
    return {render.id: gallery_item_counts_by_render[render.id] for render in renders}
