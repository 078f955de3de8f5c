from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def public_gallery_titles(session: AsyncSession, renders: Sequence[Render]) -> dict[int, list[str]]:
    gallery: dict[int, list[str]] = {}
    render_ids = [render.id for render in renders]
    gallery_items_by_render = defaultdict(list)
    if render_ids:
        for gallery_item in await session.scalars(
            select(GalleryItem).where(GalleryItem.render_id.in_(render_ids)).order_by(GalleryItem.id)
        ):
            gallery_items_by_render[gallery_item.render_id].append(gallery_item)
    for render in renders:
        titles = []
        for item in gallery_items_by_render.get(render.id, []):
            if item.is_public:
                titles.append(item.title)
        gallery[render.id] = titles
    return gallery
