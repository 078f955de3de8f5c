from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def first_gallery_titles(session: AsyncSession, renders: Sequence[Render]) -> dict[int, str | None]:
    """The title of each render's first gallery item; None for a render without one."""
    titles: dict[int, str | None] = {}
    for render in renders:
        item = (await session.execute(select(GalleryItem).where(GalleryItem.render_id == render.id).order_by(GalleryItem.id))).scalars().first()
        titles[render.id] = item.title if item is not None else None
    return titles
