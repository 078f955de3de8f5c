from sqlalchemy import select

from renderapp.models import Project


async def run(module, session):
    await module.rename_project(session.bind, 1, "renamed")
    return (await session.scalars(select(Project.name).order_by(Project.id))).all()
