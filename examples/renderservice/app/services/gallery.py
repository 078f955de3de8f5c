"""The public gallery and publishing renders to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import GalleryItem, Render, User


@dataclass
class FeedEntry:
    gallery_item_id: int
    title: str
    prompt: str
    author: str


def public_feed(session: Session, limit: int = 20) -> list[FeedEntry]:
    """The newest public gallery items with their render and author.

    Items and renders come in one joined query; the authors are then fetched one
    `session.get` per render (N+1 on distinct authors).
    """
    rows = session.execute(
        select(GalleryItem, Render)
        .join(Render, Render.id == GalleryItem.render_id)
        .where(GalleryItem.is_public.is_(True))
        .order_by(GalleryItem.published_at.desc(), GalleryItem.id.desc())
        .limit(limit)
    ).all()
    renders = [render for _, render in rows]
    authors = [session.get(User, render.user_id) for render in renders]
    return [
        FeedEntry(
            gallery_item_id=item.id,
            title=item.title,
            prompt=render.prompt,
            author=author.display_name if author is not None else "deleted user",
        )
        for (item, render), author in zip(rows, authors)
    ]


def gallery_by_render(session: Session, renders: Sequence[Render]) -> dict[int, list[str]]:
    """The gallery titles each render was published under: one query per render."""
    titles: dict[int, list[str]] = {}
    for render in renders:
        items = session.scalars(
            select(GalleryItem).where(GalleryItem.render_id == render.id).order_by(GalleryItem.id)
        ).all()
        titles[render.id] = [item.title for item in items]
    return titles


def renders_of_project(session: Session, project_id: int) -> Sequence[Render]:
    return session.scalars(select(Render).where(Render.project_id == project_id).order_by(Render.id)).all()


def publish_renders(session: Session, render_ids: Sequence[int], title: str) -> dict[int, int]:
    """Publish each render and report how many gallery items it now has.

    Left alone by n1fix on purpose: each count must see the item added just before it
    (autoflush), so batching the counts in front of the loop would change the result.
    """
    published: dict[int, int] = {}
    for render_id in render_ids:
        session.add(GalleryItem(render_id=render_id, title=title, is_public=True))
        published[render_id] = session.scalar(
            select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render_id)
        )
    session.commit()
    return published


def public_counts_by_user(session: Session) -> dict[str, int]:
    """Public items per author: one GROUP BY over a join. Clean."""
    rows = session.execute(
        select(User.display_name, func.count(GalleryItem.id))
        .join(Render, Render.user_id == User.id)
        .join(GalleryItem, GalleryItem.render_id == Render.id)
        .where(GalleryItem.is_public.is_(True))
        .group_by(User.id)
        .order_by(User.id)
    ).all()
    return {name: count for name, count in rows}
