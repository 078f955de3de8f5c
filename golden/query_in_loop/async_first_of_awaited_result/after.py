from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


async def first_gallery_titles(session: AsyncSession, renders: Sequence[Render]) -> dict[int, str | None]:
    """The title of each render's first gallery item; None for a render without one."""
    titles: dict[int, str | None] = {}
    render_ids = [render.id for render in renders]
    first_gallery_item_by_render = {}
    if render_ids:
        for gallery_item in (
            await session.execute(
                select(GalleryItem).where(GalleryItem.render_id.in_(render_ids)).order_by(GalleryItem.id)
            )
        ).scalars():
            first_gallery_item_by_render.setdefault(
                gallery_item.render_id, gallery_item
            )
    for render in renders:
        item = first_gallery_item_by_render.get(render.id)
        titles[render.id] = item.title if item is not None else None
    return titles
