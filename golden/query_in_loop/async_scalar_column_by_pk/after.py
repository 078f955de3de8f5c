from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render, User


async def owner_emails(session: AsyncSession, renders: Sequence[Render]) -> list[tuple[int, str | None]]:
    out = []
    user_ids = [render.user_id for render in renders]
    first_email_by_user_id = {}
    if user_ids:
        for user_id, row_email in await session.execute(
            select(User.id, User.email).where(User.id.in_(user_ids))
        ):
            first_email_by_user_id.setdefault(user_id, row_email)
    for render in renders:
        email = first_email_by_user_id.get(render.user_id)
        out.append((render.id, email))
    return out
