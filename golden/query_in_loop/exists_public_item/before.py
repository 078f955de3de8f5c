from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def publication_flags(session: Session, renders: list[Render]) -> dict[int, bool]:
    """For the render grid: which renders already have a public gallery entry."""
    flags = {}
    for render in renders:
        flags[render.id] = session.scalar(
            select(exists().where(GalleryItem.render_id == render.id, GalleryItem.is_public))
        )
    return flags
