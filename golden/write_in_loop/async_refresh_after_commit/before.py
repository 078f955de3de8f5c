from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render


async def finish(session: AsyncSession, renders: list[Render]) -> list[tuple[int, str]]:
    for render in renders:
        render.status = "done"
    await session.commit()
    for render in renders:
        await session.refresh(render)
    return [(render.id, render.status) for render in renders]
