from sqlalchemy import update
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def retitle(session: Session, titles: dict[int, str]) -> None:
    """Give each gallery item its new title."""
    for item_id, title in titles.items():
        session.execute(update(GalleryItem).filter_by(id=item_id).values(title=title))
