from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def publish_to_gallery(session: Session, renders: list[Render], published_at: datetime) -> dict[int, int]:
    public_counts = {}
    for render in renders:
        session.add(GalleryItem(render_id=render.id, title=render.prompt[:60], is_public=True, published_at=published_at))
        public_counts[render.id] = session.scalar(
            select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render.id, GalleryItem.is_public)
        )
    return public_counts
