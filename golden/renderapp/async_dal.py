"""Async data access in the two styles real services use (for the sequential-awaits cases).

The `*DAL` classes open a short-lived session of their own for every call, from the
application's sessionmaker (bound to the engine at start-up: `async_session.configure(
bind=engine)`). `UsersRepo` takes the caller's session instead.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from renderapp.models import Project, Render, User, UserCredits

async_session = async_sessionmaker(expire_on_commit=False)


class AuthDAL:
    @staticmethod
    async def get_user_by_id(user_id: int) -> User | None:
        async with async_session() as session:
            return await session.get(User, user_id)

    @staticmethod
    async def get_user_by_email(email: str) -> User | None:
        async with async_session() as session:
            return await session.scalar(select(User).where(User.email == email))


class ProjectsDAL:
    @staticmethod
    async def with_render_counts(user_id: int) -> list[tuple[str, int]]:
        async with async_session() as session:
            rows = await session.execute(
                select(Project.name, func.count(Render.id))
                .outerjoin(Render, Render.project_id == Project.id)
                .where(Project.user_id == user_id)
                .group_by(Project.id, Project.name)
                .order_by(Project.id)
            )
            return [(name, count) for name, count in rows]

    @staticmethod
    async def search_names(prefix: str) -> list[str]:
        async with async_session() as session:
            names = await session.scalars(
                select(Project.name).where(Project.name.startswith(prefix)).order_by(Project.name, Project.id)
            )
            return list(names)


class BillingDAL:
    @staticmethod
    async def get_credits(user_id: int) -> int:
        async with async_session() as session:
            balance = await session.scalar(select(UserCredits.balance).where(UserCredits.user_id == user_id))
            return balance or 0

    @staticmethod
    async def add_credits(user_id: int, amount: int) -> None:
        async with async_session() as session:
            await session.execute(
                update(UserCredits)
                .where(UserCredits.user_id == user_id)
                .values(balance=UserCredits.balance + amount)
            )
            await session.commit()


class RendersDAL:
    @staticmethod
    async def recent_for_user(user_id: int, limit: int = 20) -> list[Render]:
        async with async_session() as session:
            renders = await session.scalars(
                select(Render)
                .where(Render.user_id == user_id)
                .order_by(Render.created_at.desc(), Render.id.desc())
                .limit(limit)
            )
            return list(renders)


class UsersRepo:
    """Runs on the session it is given (a request-scoped session, as FastAPI's Depends)."""

    @staticmethod
    async def get(session: AsyncSession, user_id: int) -> User | None:
        return await session.get(User, user_id)

    @staticmethod
    async def project_names(session: AsyncSession, user_id: int) -> list[str]:
        names = await session.scalars(select(Project.name).where(Project.user_id == user_id).order_by(Project.id))
        return list(names)
