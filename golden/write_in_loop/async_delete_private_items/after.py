from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def unpublish_private_items(session: AsyncSession, renders: list[Render]) -> None:
    """Drop the private gallery items of each render; public ones stay."""
    render_ids = [render.id for render in renders]
    if render_ids:
        await session.execute(
            delete(GalleryItem).where(
                GalleryItem.render_id.in_(render_ids), GalleryItem.is_public.is_(False)
            )
        )
