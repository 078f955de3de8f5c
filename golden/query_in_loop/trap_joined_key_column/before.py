from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render, User


def showcase(session: Session, users: Sequence[User]) -> dict[int, Sequence[GalleryItem]]:
    items_by_user = {}
    for user in users:
        items_by_user[user.id] = session.scalars(
            select(GalleryItem)
            .join(Render, GalleryItem.render_id == Render.id)
            .where(Render.user_id == user.id, GalleryItem.is_public)
            .order_by(GalleryItem.published_at.desc(), GalleryItem.id.desc())
        ).all()
    return items_by_user
