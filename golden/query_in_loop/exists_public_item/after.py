from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def publication_flags(session: Session, renders: list[Render]) -> dict[int, bool]:
    """For the render grid: which renders already have a public gallery entry."""
    flags = {}
    render_ids = [render.id for render in renders]
    render_ids_with_gallery_items = set()
    if render_ids:
        render_ids_with_gallery_items = set(
            session.scalars(
                select(GalleryItem.render_id)
                .where(GalleryItem.render_id.in_(render_ids), GalleryItem.is_public)
                .distinct()
            )
        )
    for render in renders:
        flags[render.id] = render.id in render_ids_with_gallery_items
    return flags
