from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def gallery_titles(session: AsyncSession, renders: Sequence[Render]) -> dict[int, list[str]]:
    """The titles of each render's gallery items, and the columns of the last result."""
    titles: dict[int, list[str]] = {}
    result = None
    for render in renders:
        result = await session.execute(
            select(GalleryItem).where(GalleryItem.render_id == render.id).order_by(GalleryItem.id)
        )
        items = result.scalars().all()
        titles[render.id] = [item.title for item in items]
    if result is not None:
        titles[0] = list(result.keys())
    return titles
