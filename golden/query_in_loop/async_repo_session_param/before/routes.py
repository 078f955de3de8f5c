from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Project, Render

from .repos import GalleryRepo, RendersRepo


async def project_prompts(session: AsyncSession, projects: list[Project]) -> dict[int, list[str]]:
    prompts = {}
    for project in projects:
        renders = await RendersRepo.by_project(session, project.id)
        prompts[project.id] = [render.prompt for render in renders]
    return prompts


async def gallery_counts(session: AsyncSession, renders: list[Render]) -> dict[int, int]:
    return {render.id: await GalleryRepo.count_for_render(session, render.id) for render in renders}
