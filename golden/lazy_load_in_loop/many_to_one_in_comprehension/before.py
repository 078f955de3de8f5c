from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def public_gallery(session: Session) -> list[tuple[str, str]]:
    items = session.scalars(select(GalleryItem).where(GalleryItem.is_public.is_(True)).order_by(GalleryItem.id)).all()
    return [(item.title, item.render.prompt) for item in items]
