from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def withdraw_private(session: Session, render_id: int) -> None:
    items = session.scalars(
        select(GalleryItem).where(GalleryItem.render_id == render_id, GalleryItem.is_public.is_(False))
    ).all()
    for item in items:
        session.delete(item)
    session.flush()
