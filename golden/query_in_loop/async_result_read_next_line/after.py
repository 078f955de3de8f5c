from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def gallery_titles(session: AsyncSession, renders: Sequence[Render]) -> dict[int, list[str]]:
    """The titles of each render's gallery items, in the order they were added."""
    titles: dict[int, list[str]] = {}
    render_ids = [render.id for render in renders]
    gallery_items_by_render = defaultdict(list)
    if render_ids:
        for gallery_item in (
            await session.execute(
                select(GalleryItem).where(GalleryItem.render_id.in_(render_ids)).order_by(GalleryItem.id)
            )
        ).scalars():
            gallery_items_by_render[gallery_item.render_id].append(gallery_item)
    for render in renders:
        items = gallery_items_by_render.get(render.id, [])
        titles[render.id] = [item.title for item in items]
    return titles
