from sqlalchemy import select

from renderapp.models import Render


async def run(module, session):
    # render 1 has a private item (2) next to two public ones; render 13's only item (7)
    # is private; render 10's are public; render 4 has none
    renders = (await session.scalars(select(Render).where(Render.id.in_([1, 4, 10, 13])).order_by(Render.id))).all()
    await module.unpublish_private_items(session, renders)
    await module.unpublish_private_items(session, [])
