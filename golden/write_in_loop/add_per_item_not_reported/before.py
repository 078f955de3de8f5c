from datetime import datetime

from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def publish(session: Session, renders: list[Render], published_at: datetime) -> None:
    for render in renders:
        session.add(GalleryItem(render_id=render.id, title=render.prompt[:60], is_public=True, published_at=published_at))
    session.flush()
