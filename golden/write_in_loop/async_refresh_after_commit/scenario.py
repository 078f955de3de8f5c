from sqlalchemy import select

from renderapp.models import Render


async def run(module, session):
    renders = (await session.scalars(select(Render).where(Render.project_id == 1).order_by(Render.id))).all()
    done = await module.finish(session, list(renders))
    # no objects: no statement at all
    return done, await module.finish(session, [])
