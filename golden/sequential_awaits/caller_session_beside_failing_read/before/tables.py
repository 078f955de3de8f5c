"""Table classes exported as their module's one instance (`Users = UsersTable()`): the
user is read on the caller's session when one is passed, the project names on a
short-lived session of their own."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from renderapp.models import Project, User

async_session = async_sessionmaker(expire_on_commit=False)


class UsersTable:
    async def get_user_by_id(self, user_id: int, db: AsyncSession) -> User | None:
        return await db.get(User, user_id)


class ProjectsTable:
    async def get_project_names_by_user_id(self, user_id: int) -> list[str]:
        async with async_session() as session:
            names = await session.scalars(
                select(Project.name).where(Project.user_id == user_id).order_by(Project.id)
            )
            return list(names)


Users = UsersTable()
Projects = ProjectsTable()
