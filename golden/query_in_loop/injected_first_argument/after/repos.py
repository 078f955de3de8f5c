from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render

from .injection import Clock, clock_injector, with_clock


@clock_injector
async def renders_of_project(
    clock: Clock, session: AsyncSession, project_id: int
) -> list[Render]:
    result = await session.execute(
        select(Render)
        .where(Render.project_id == project_id)
        .order_by(Render.created_at.desc(), Render.id.desc())
    )
    return list(result.scalars())


@clock_injector
async def renders_of_projects(
    clock: Clock, session: AsyncSession, project_ids: list[int]
) -> dict[int, list[Render]]:
    """`renders_of_project` for many projects in one query.

    Maps each of `project_ids` to what `renders_of_project` returns for it.
    """
    if not project_ids:
        return {}
    renders_by_project_id = defaultdict(list)
    for render in (await session.execute(
        select(Render)
        .where(Render.project_id.in_(project_ids))
        .order_by(Render.created_at.desc(), Render.id.desc())
    )).scalars():
        renders_by_project_id[render.project_id].append(render)
    return {
        project_id: list(renders_by_project_id.get(project_id, []))
        for project_id in project_ids
    }


@with_clock
async def gallery_count(clock: Clock, session: AsyncSession, render_id: int) -> int:
    count = await session.scalar(
        select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render_id)
    )
    return count or 0


@with_clock
async def gallery_count_for_render_ids(
    clock: Clock, session: AsyncSession, render_ids: list[int]
) -> dict[int, int]:
    """`gallery_count` for many renders in one query.

    Maps each of `render_ids` to what `gallery_count` returns for it.
    """
    if not render_ids:
        return {}
    gallery_item_counts_by_render_id = dict(
        (await session.execute(
            select(GalleryItem.render_id, func.count(GalleryItem.id))
            .where(GalleryItem.render_id.in_(render_ids))
            .group_by(GalleryItem.render_id)
        )).all()
    )
    return {
        render_id: gallery_item_counts_by_render_id.get(render_id, 0) or 0
        for render_id in render_ids
    }
