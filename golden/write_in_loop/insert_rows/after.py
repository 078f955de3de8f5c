from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def publish(session: Session, renders: list[Render], published_at: datetime) -> None:
    gallery_item_rows = [
        {
            "render_id": render.id,
            "title": render.prompt[:60],
            "is_public": True,
            "published_at": published_at,
        }
        for render in renders
    ]
    if gallery_item_rows:
        session.execute(insert(GalleryItem), gallery_item_rows)
