from sqlalchemy import select

from renderapp.models import Render


async def run(module, session):
    # render 1 has three gallery items (the first, id 1, is the one kept), renders 5 and
    # 10 have some, the rest none (None)
    renders = (await session.scalars(select(Render).order_by(Render.id))).all()
    return await module.first_gallery_titles(session, renders)


async def run_empty(module, session):
    return await module.first_gallery_titles(session, [])
