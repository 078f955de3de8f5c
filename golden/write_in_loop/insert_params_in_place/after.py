from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def feature_renders(session: Session, renders: list[Render], now: datetime) -> list[str]:
    """Add a public gallery item for each finished render; return the titles used."""
    titles = []
    gallery_item_rows = []
    for render in renders:
        if render.status != "done":
            continue
        title = f"Featured: {render.prompt}"
        gallery_item_rows.append(
            {
                "render_id": render.id,
                "title": title,
                "is_public": True,
                "published_at": now,
            }
        )
        titles.append(title)
    if gallery_item_rows:
        session.execute(sa.insert(GalleryItem), gallery_item_rows)
    return titles
