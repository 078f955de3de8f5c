from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def gallery_pages(session: Session, render_ids: list[int]) -> list[list[GalleryItem]]:
    pages = []
    for render_id in render_ids:
        items = session.scalars(
            select(GalleryItem).where(GalleryItem.render_id == render_id).order_by(GalleryItem.id)
        ).all()
        pages.append(list(items))
    return pages
