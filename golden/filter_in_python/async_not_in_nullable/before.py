from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp.models import Render


async def late_steps(session: AsyncSession) -> list[Render]:
    """Renders that are not one of the first two steps of a chain (or in no chain)."""
    renders = (await session.scalars(select(Render).order_by(Render.id))).all()
    return [r for r in renders if r.chain_position not in (1, 2)]
