"""Reports over a project's renders for the staff tools."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models import GalleryItem, Render


def render_lines(session: Session, project_id: int) -> list[str]:
    """One line per render: its author and its chain, read through the relationships."""
    renders = session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)).all()
    return [
        f"#{render.id} by {render.user.display_name} in {render.chain.name if render.chain else '(no chain)'}"
        for render in renders
    ]


def render_ids_by_author(session: Session, project_id: int) -> dict[int, list[int]]:
    renders = session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)).all()
    by_author: dict[int, list[int]] = defaultdict(list)
    for render in renders:
        by_author[render.user.id].append(render.id)
    return dict(by_author)


def unpublish_project(session: Session, project_id: int) -> int:
    """Take a project's renders off the public gallery: one UPDATE per gallery item."""
    items = session.scalars(
        select(GalleryItem)
        .join(Render, Render.id == GalleryItem.render_id)
        .where(Render.project_id == project_id, GalleryItem.is_public.is_(True))
        .order_by(GalleryItem.id)
    ).all()
    for item in items:
        session.execute(update(GalleryItem).where(GalleryItem.id == item.id).values(is_public=False))
    session.commit()
    return len(items)
