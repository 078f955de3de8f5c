"""Project rows, their pydantic copies and the table class that loads them, in one module
(the layout of open-webui's models/*.py). Each method opens a session of its own, or uses
the caller's."""

from __future__ import annotations

from contextlib import asynccontextmanager

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

async_session = async_sessionmaker(expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))


class ProjectModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    name: str = Field(max_length=12)


@asynccontextmanager
async def get_db_context(db: AsyncSession | None = None):
    if isinstance(db, AsyncSession):
        yield db
    else:
        async with async_session() as session:
            yield session


class ProjectsTable:
    async def get_project_by_id(
        self, id: int, db: AsyncSession | None = None
    ) -> ProjectModel | None:
        try:
            async with get_db_context(db) as db:
                project = await db.get(Project, id)
                if not project:
                    return None
                return ProjectModel.model_validate(project)
        except Exception:
            return None

    async def get_project_by_ids(
        self, ids: list[int], db: AsyncSession | None = None
    ) -> dict[int, ProjectModel | None]:
        """`get_project_by_id` for many ids in one query.

        Maps each of `ids` to what `get_project_by_id` returns for it.
        """
        if not ids:
            return {}
        try:
            async with get_db_context(db) as db:
                projects_by_id = {
                    project.id: project
                    for project in await db.scalars(
                        select(Project).where(Project.id.in_(ids))
                    )
                }
                results = {}
                for id in ids:
                    try:
                        project = projects_by_id.get(id)
                        if not project:
                            results[id] = None
                            continue
                        results[id] = ProjectModel.model_validate(project)
                    except Exception:
                        results[id] = None
                return results
        except Exception:
            return {id: None for id in ids}

    async def get_project_name_by_id(
        self, id: int, db: AsyncSession | None = None
    ) -> str:
        async with get_db_context(db) as db:
            project = await db.get(Project, id)
            if not project:
                return ""
            return project.name

    async def get_project_name_by_ids(
        self, ids: list[int], db: AsyncSession | None = None
    ) -> dict[int, str]:
        """`get_project_name_by_id` for many ids in one query.

        Maps each of `ids` to what `get_project_name_by_id` returns for it.
        """
        if not ids:
            return {}
        async with get_db_context(db) as db:
            projects_by_id = {
                project.id: project
                for project in await db.scalars(
                    select(Project).where(Project.id.in_(ids))
                )
            }
            results = {}
            for id in ids:
                project = projects_by_id.get(id)
                if not project:
                    results[id] = ""
                    continue
                results[id] = project.name
            return results


Projects = ProjectsTable()
