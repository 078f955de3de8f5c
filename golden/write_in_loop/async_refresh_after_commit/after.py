from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render


async def finish(session: AsyncSession, renders: list[Render]) -> list[tuple[int, str]]:
    for render in renders:
        render.status = "done"
    await session.commit()
    render_ids = [inspect(render).identity[0] for render in renders]
    if render_ids:
        (await session.scalars(
            select(Render)
            .where(Render.id.in_(render_ids))
            .execution_options(populate_existing=True)
        )).all()
    return [(render.id, render.status) for render in renders]
