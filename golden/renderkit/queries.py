from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def public_gallery_items(session: Session, render_id: int) -> list[GalleryItem]:
    stmt = (
        select(GalleryItem)
        .where(GalleryItem.render_id == render_id, GalleryItem.is_public.is_(True))
        .order_by(GalleryItem.published_at, GalleryItem.id)
    )
    return list(session.scalars(stmt))
