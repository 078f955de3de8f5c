from sqlalchemy import select

from renderapp.models import Project, Render


async def run(routes, session):
    # The repositories run on the caller's session, as a request handler hands them its own.
    # Projects 3 and 5 have no renders; most renders have no gallery items, render 1 has three.
    projects = list(await session.scalars(select(Project).order_by(Project.id)))
    renders = list(await session.scalars(select(Render).order_by(Render.id)))
    return await routes.project_prompts(session, projects), await routes.gallery_counts(session, renders)
