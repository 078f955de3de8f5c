from sqlalchemy import delete
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem


def unpublish_private_items(session: Session, render_ids: list[int]) -> None:
    """Drop the private gallery items of each render; public ones stay."""
    for render_id in render_ids:
        session.execute(delete(GalleryItem).filter_by(render_id=render_id, is_public=False))
