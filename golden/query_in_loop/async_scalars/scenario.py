from sqlalchemy import select

from renderapp.models import Render


async def run(module, session):
    # renders 1 (two public items, one private), 5, 10 (two), 13 (private only), and the
    # rest without any gallery item
    renders = (await session.scalars(select(Render).order_by(Render.id))).all()
    return await module.public_gallery_titles(session, renders)


async def run_empty(module, session):
    return await module.public_gallery_titles(session, [])
