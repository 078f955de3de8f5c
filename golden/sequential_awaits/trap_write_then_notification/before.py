from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from renderapp import async_dal
from renderapp.models import Project

SENT: list[tuple[int, str]] = []  # what subscribers were told


class ProjectsTable:
    async def rename(self, project_id: int, name: str, db: AsyncSession) -> None:
        await db.execute(update(Project).where(Project.id == project_id).values(name=name))
        await db.commit()


Projects = ProjectsTable()  # n1fix cannot tell which class this is: `rename` is unseen


async def publish_project_renamed(project_id: int) -> None:
    """Tells subscribers the project's name as the database has it now."""
    async with async_dal.async_session() as session:
        name = await session.scalar(select(Project.name).where(Project.id == project_id))
    SENT.append((project_id, name))


async def rename_project(session: AsyncSession, project_id: int, name: str) -> None:
    await Projects.rename(project_id, name, db=session)
    await publish_project_renamed(project_id)
