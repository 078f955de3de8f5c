from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render

from .dal import GalleryItems


async def unpublish_project(session: AsyncSession, project_id: int) -> None:
    """Drop the private gallery items of every render of the project."""
    result = await session.scalars(select(Render.id).where(Render.project_id == project_id))
    render_ids = result.all()
    for render_id in render_ids:
        await GalleryItems.unpublish_private(render_id, session)
