from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def public_items(session: Session) -> list[GalleryItem]:
    return session.scalars(
        select(GalleryItem)
        .where(GalleryItem.is_public.is_(True))
        .order_by(GalleryItem.id)
    ).all()
