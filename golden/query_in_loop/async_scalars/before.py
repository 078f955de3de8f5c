from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def public_gallery_titles(session: AsyncSession, renders: Sequence[Render]) -> dict[int, list[str]]:
    gallery: dict[int, list[str]] = {}
    for render in renders:
        titles = []
        for item in await session.scalars(
            select(GalleryItem).where(GalleryItem.render_id == render.id).order_by(GalleryItem.id)
        ):
            if item.is_public:
                titles.append(item.title)
        gallery[render.id] = titles
    return gallery
