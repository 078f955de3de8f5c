from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def gallery_pages(session: Session, render_ids: list[int]) -> list[list[GalleryItem]]:
    pages = []
    gallery_items_by_render_id = defaultdict(list)
    if render_ids:
        for gallery_item in session.scalars(
            select(GalleryItem).where(GalleryItem.render_id.in_(render_ids)).order_by(GalleryItem.id)
        ):
            gallery_items_by_render_id[gallery_item.render_id].append(gallery_item)
    for render_id in render_ids:
        items = gallery_items_by_render_id.get(render_id, [])
        pages.append(list(items))
    return pages
