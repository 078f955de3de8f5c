from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render


async def late_steps(session: AsyncSession) -> list[Render]:
    """Renders that are not one of the first two steps of a chain (or in no chain)."""
    renders = (await session.scalars(
        select(Render)
        .where(or_(Render.chain_position.not_in([1, 2]), Render.chain_position.is_(None)))
        .order_by(Render.id)
    )).all()
    return renders
