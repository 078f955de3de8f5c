"""Async reads for the profile page. Each call opens a short-lived session of its own."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import AsyncSessionLocal
from app.models import Project, Render, User, UserCredits


class ProfileDAL:
    @staticmethod
    async def get_user(user_id: int) -> User | None:
        async with AsyncSessionLocal() as session:
            return await session.get(User, user_id)

    @staticmethod
    async def render_counts(user_id: int) -> list[tuple[str, int]]:
        """(project name, renders) for every project of the user, zero included."""
        async with AsyncSessionLocal() as session:
            rows = await session.execute(
                select(Project.name, func.count(Render.id))
                .outerjoin(Render, Render.project_id == Project.id)
                .where(Project.user_id == user_id)
                .group_by(Project.id, Project.name)
                .order_by(Project.id)
            )
            return [(name, count) for name, count in rows]

    @staticmethod
    async def credit_balance(user_id: int) -> int:
        async with AsyncSessionLocal() as session:
            balance = await session.scalar(select(UserCredits.balance).where(UserCredits.user_id == user_id))
            return balance or 0

    @staticmethod
    async def recent_prompts(user_id: int, limit: int = 5) -> list[str]:
        async with AsyncSessionLocal() as session:
            prompts = await session.scalars(
                select(Render.prompt)
                .where(Render.user_id == user_id)
                .order_by(Render.created_at.desc(), Render.id.desc())
                .limit(limit)
            )
            return list(prompts)
