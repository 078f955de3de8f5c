"""Data access that runs on the caller's session (a request-scoped session)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import GalleryItem, Render


class RendersDAL:
    @staticmethod
    def by_project(session: Session, project_id: int) -> list[Render]:
        stmt = (
            select(Render)
            .where(Render.project_id == project_id)
            .order_by(Render.created_at, Render.id)
        )
        return list(session.scalars(stmt))


def public_items_for_render(session: Session, render_id: int) -> list[GalleryItem]:
    return list(
        session.scalars(
            select(GalleryItem)
            .where(GalleryItem.render_id == render_id, GalleryItem.is_public.is_(True))
            .order_by(GalleryItem.published_at, GalleryItem.id)
        )
    )
