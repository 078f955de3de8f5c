from golden_support import asyncpg_connection
from sqlalchemy import select

from renderapp.models import Project

BACKENDS = ("postgresql",)  # asyncpg's `$1` placeholders


async def run(module, session):
    projects = (await session.scalars(select(Project).order_by(Project.id))).all()
    return await module.render_statuses(await asyncpg_connection(session), list(projects))


async def run_empty(module, session):
    return await module.render_statuses(await asyncpg_connection(session), [])
