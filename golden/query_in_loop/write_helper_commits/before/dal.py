from contextlib import asynccontextmanager

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from renderapp.models import GalleryItem

async_session = async_sessionmaker(expire_on_commit=False)


@asynccontextmanager
async def session_context(session: AsyncSession | None = None):
    """The caller's session when it passes one, else a short-lived one of its own."""
    if session is not None:
        yield session
    else:
        async with async_session() as own:
            yield own


class GalleryItemsTable:
    async def unpublish_private(
        self, render_id: int, session: AsyncSession | None = None
    ) -> int:
        """Drop the render's private gallery items (public ones stay); how many went."""
        async with session_context(session) as session:
            result = await session.execute(
                delete(GalleryItem).where(
                    GalleryItem.render_id == render_id, GalleryItem.is_public.is_(False)
                )
            )
            await session.commit()
            return result.rowcount


GalleryItems = GalleryItemsTable()
