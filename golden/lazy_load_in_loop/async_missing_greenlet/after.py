from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from renderapp.models import Project


async def project_prompts(session: AsyncSession, user_id: int) -> dict[str, list[str]]:
    stmt = (
        select(Project)
        .options(selectinload(Project.renders))
        .where(Project.user_id == user_id)
        .order_by(Project.id)
    )
    projects = (await session.scalars(stmt)).all()
    return {project.name: sorted(render.prompt for render in project.renders) for project in projects}
