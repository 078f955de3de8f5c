"""Project rows, their pydantic copies and the table class that loads them, in one module
(the layout of open-webui's models/*.py). Each method opens a session of its own, or uses
the caller's."""

from __future__ import annotations

from contextlib import asynccontextmanager

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import String
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

    async def get_project_name_by_id(
        self, id: int, db: AsyncSession | None = None
    ) -> str:
        async with get_db_context(db) as db:
            project = await db.get(Project, id)
            if not project:
                return ""
            return project.name


Projects = ProjectsTable()
