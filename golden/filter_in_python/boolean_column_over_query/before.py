from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def public_items(session: Session) -> list[GalleryItem]:
    return [item for item in session.scalars(select(GalleryItem).order_by(GalleryItem.id)) if item.is_public]
