"""Data access in table classes, each exported as the module's one instance (`Renders =
RendersTable()` at the bottom), which the rest of the application calls. Every method
opens a short-lived session of its own from the application's sessionmaker."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from renderapp.models import Project, Render

async_session = async_sessionmaker(expire_on_commit=False)


class ProjectsTable:
    async def get_projects_by_user_id(self, user_id: int) -> list[Project]:
        async with async_session() as session:
            projects = await session.scalars(
                select(Project)
                .where(Project.user_id == user_id)
                .order_by(Project.created_at.desc(), Project.id.desc())
            )
            return list(projects)


class RendersTable:
    async def get_renders_by_project_id(self, project_id: int, limit: int = 20) -> list[Render]:
        async with async_session() as session:
            renders = await session.scalars(
                select(Render)
                .where(Render.project_id == project_id)
                .order_by(Render.created_at.desc(), Render.id.desc())
                .limit(limit)
            )
            return list(renders)

    async def get_renders_by_project_ids(
        self, project_ids: list[int], limit: int = 20
    ) -> dict[int, list[Render]]:
        """`get_renders_by_project_id` for many projects in one query.

        Maps each of `project_ids` to what `get_renders_by_project_id` returns for it.
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


Projects = ProjectsTable()
Renders = RendersTable()
