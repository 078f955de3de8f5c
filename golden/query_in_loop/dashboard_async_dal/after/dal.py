"""Data access: every method opens a short-lived session of its own from the application's
sessionmaker, bound to the engine at start-up (`async_session.configure(bind=engine)`)."""

from __future__ import annotations

from collections import defaultdict

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
    async def latest_for_projects(
        project_ids: list[int], limit: int = 20
    ) -> dict[int, list[Render]]:
        """`latest_for_project` for many projects in one query.

        Maps each of `project_ids` to what `latest_for_project` returns for it.
        """
        if not project_ids:
            return {}
        async with async_session() as session:
            renders_by_project_id = defaultdict(list)
            for render in await session.scalars(
                select(Render)
                .where(Render.project_id.in_(project_ids))
                .order_by(Render.created_at.desc(), Render.id.desc())
            ):
                if len(renders_by_project_id[render.project_id]) < limit:
                    renders_by_project_id[render.project_id].append(render)
            return {
                project_id: list(renders_by_project_id.get(project_id, []))
                for project_id in project_ids
            }

    @staticmethod
    async def count_for_project(project_id: int) -> int:
        async with async_session() as session:
            count = await session.scalar(select(func.count(Render.id)).where(Render.project_id == project_id))
            return count or 0

    @staticmethod
    async def count_for_projects(project_ids: list[int]) -> dict[int, int]:
        """`count_for_project` for many projects in one query.

        Maps each of `project_ids` to what `count_for_project` returns for it.
        """
        if not project_ids:
            return {}
        async with async_session() as session:
            render_counts_by_project_id = dict(
                (await session.execute(
                    select(Render.project_id, func.count(Render.id))
                    .where(Render.project_id.in_(project_ids))
                    .group_by(Render.project_id)
                )).all()
            )
            return {
                project_id: render_counts_by_project_id.get(project_id, 0) or 0
                for project_id in project_ids
            }
