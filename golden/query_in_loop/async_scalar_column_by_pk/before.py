from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render, User


async def owner_emails(session: AsyncSession, renders: Sequence[Render]) -> list[tuple[int, str | None]]:
    out = []
    for render in renders:
        email = await session.scalar(select(User.email).where(User.id == render.user_id))
        out.append((render.id, email))
    return out
