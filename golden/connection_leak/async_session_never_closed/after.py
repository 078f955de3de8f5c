from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from renderapp.models import Project


async def rename_project(engine: AsyncEngine, project_id: int, name: str) -> None:
    async with AsyncSession(engine) as session:
        project = await session.get(Project, project_id)
        project.name = name
        await session.commit()
