"""Data access that runs on the caller's session (a request-scoped session)."""

from collections import defaultdict

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

    @staticmethod
    def by_projects(
        session: Session, project_ids: list[int]
    ) -> dict[int, list[Render]]:
        """`by_project` for many projects in one query.

        Maps each of `project_ids` to what `by_project` returns for it.
        """
        if not project_ids:
            return {}
        renders_by_project_id = defaultdict(list)
        for render in session.scalars(
            select(Render)
            .where(Render.project_id.in_(project_ids))
            .order_by(Render.created_at, Render.id)
        ):
            renders_by_project_id[render.project_id].append(render)
        return {
            project_id: list(renders_by_project_id.get(project_id, []))
            for project_id in project_ids
        }


def public_items_for_render(session: Session, render_id: int) -> list[GalleryItem]:
    return list(
        session.scalars(
            select(GalleryItem)
            .where(GalleryItem.render_id == render_id, GalleryItem.is_public.is_(True))
            .order_by(GalleryItem.published_at, GalleryItem.id)
        )
    )


def public_items_for_renders(
    session: Session, render_ids: list[int]
) -> dict[int, list[GalleryItem]]:
    """`public_items_for_render` for many renders in one query.

    Maps each of `render_ids` to what `public_items_for_render` returns for it.
    """
    if not render_ids:
        return {}
    gallery_items_by_render_id = defaultdict(list)
    for gallery_item in session.scalars(
        select(GalleryItem)
        .where(GalleryItem.render_id.in_(render_ids), GalleryItem.is_public.is_(True))
        .order_by(GalleryItem.published_at, GalleryItem.id)
    ):
        gallery_items_by_render_id[gallery_item.render_id].append(gallery_item)
    return {
        render_id: list(gallery_items_by_render_id.get(render_id, []))
        for render_id in render_ids
    }
