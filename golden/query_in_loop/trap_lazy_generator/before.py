from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


def gallery_export_rows(session: Session, project_id: int) -> Iterator[tuple[int, str, int]]:
    renders = session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)).all()
    rows = (
        (render.id, render.status, session.scalar(select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render.id)))
        for render in renders
    )
    return rows
