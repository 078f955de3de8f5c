"""Data access: every method opens a short-lived session of its own from the application's
sessionmaker, bound to the engine at start-up (`async_session.configure(bind=engine)`)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from renderapp.models import Project, Render

async_session = async_sessionmaker(expire_on_commit=False)


class ProjectsDAL:
    @staticmethod
    async def get_by_user_id(user_id: int) -> list[Project]:
        async with async_session() as session:
            projects = await session.scalars(
                select(Project)
                .where(Project.user_id == user_id)
                .order_by(Project.created_at.desc(), Project.id.desc())
            )
            return list(projects)


class RendersDAL:
    @staticmethod
    async def latest_for_project(project_id: int, limit: int = 20) -> list[Render]:
        async with async_session() as session:
            renders = await session.scalars(
                select(Render)
                .where(Render.project_id == project_id)
                .order_by(Render.created_at.desc(), Render.id.desc())
                .limit(limit)
            )
            return list(renders)

    @staticmethod
    async def count_for_project(project_id: int) -> int:
        async with async_session() as session:
            count = await session.scalar(select(func.count(Render.id)).where(Render.project_id == project_id))
            return count or 0
