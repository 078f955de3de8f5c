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


@with_clock
async def gallery_count(clock: Clock, session: AsyncSession, render_id: int) -> int:
    count = await session.scalar(
        select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render_id)
    )
    return count or 0
