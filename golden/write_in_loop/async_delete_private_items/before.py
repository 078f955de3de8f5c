from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def unpublish_private_items(session: AsyncSession, renders: list[Render]) -> None:
    """Drop the private gallery items of each render; public ones stay."""
    for render in renders:
        await session.execute(
            delete(GalleryItem).where(
                GalleryItem.render_id == render.id, GalleryItem.is_public.is_(False)
            )
        )
