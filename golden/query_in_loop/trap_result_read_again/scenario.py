from sqlalchemy import select

from renderapp.models import Render


async def run(module, session):
    renders = (await session.scalars(select(Render).order_by(Render.id))).all()
    return await module.gallery_titles(session, renders)


async def run_empty(module, session):
    return await module.gallery_titles(session, [])
