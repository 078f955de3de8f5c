"""Data access in table classes, each exported as the module's one instance (`Renders =
RendersTable()` at the bottom), which the rest of the application calls. Every method
opens a short-lived session of its own from the application's sessionmaker."""

from __future__ import annotations

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


class FixtureRenders:
    def __init__(self, renders_by_project: dict[int, list[Render]]) -> None:
        self.renders_by_project = renders_by_project

    async def get_renders_by_project_id(self, project_id: int, limit: int = 20) -> list[Render]:
        return self.renders_by_project.get(project_id, [])[:limit]


Projects = ProjectsTable()
Renders = RendersTable()


def use_fixtures(renders_by_project: dict[int, list[Render]]) -> None:
    """Tests swap the table for canned rows: `Renders` is not always a `RendersTable`."""
    global Renders
    Renders = FixtureRenders(renders_by_project)
