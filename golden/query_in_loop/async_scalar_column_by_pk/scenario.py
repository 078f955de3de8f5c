from sqlalchemy import select

from renderapp.models import Render


async def run(module, session):
    # renders of several users, most users with many renders: repeated keys
    renders = (await session.scalars(select(Render).order_by(Render.id))).all()
    return await module.owner_emails(session, renders)


async def run_empty(module, session):
    return await module.owner_emails(session, [])
