from sqlalchemy import delete
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem


class GalleryItemsTable:
    async def unpublish_private(self, render_id: int, session: AsyncSession) -> None:
        """Drop the render's private gallery items; a render that fails is left as it was."""
        try:
            await session.execute(
                delete(GalleryItem).where(
                    GalleryItem.render_id == render_id, GalleryItem.is_public.is_(False)
                )
            )
            await session.commit()
        except SQLAlchemyError:
            await session.rollback()


GalleryItems = GalleryItemsTable()
