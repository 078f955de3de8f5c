from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Project, Render


async def project_totals(session: AsyncSession, user_id: int) -> tuple[int, int]:
    async with session.begin():
        projects = await session.scalar(select(func.count(Project.id)).where(Project.user_id == user_id))
        renders = await session.scalar(select(func.count(Render.id)).where(Render.user_id == user_id))
    return projects or 0, renders or 0
