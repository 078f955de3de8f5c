"""Repositories that run on the request's session (FastAPI's `Depends(get_session)`)."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import GalleryItem, Render


class RendersRepo:
    @staticmethod
    async def by_project(session: AsyncSession, project_id: int) -> list[Render]:
        result = await session.execute(
            select(Render)
            .where(Render.project_id == project_id)
            .order_by(Render.created_at.desc(), Render.id.desc())
        )
        return list(result.scalars())


class GalleryRepo:
    @staticmethod
    async def count_for_render(session: AsyncSession, render_id: int) -> int:
        count = await session.scalar(
            select(func.count(GalleryItem.id)).where(GalleryItem.render_id == render_id)
        )
        return count or 0
