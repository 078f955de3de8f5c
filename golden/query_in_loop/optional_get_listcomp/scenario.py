from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # renders of projects 1 and 4: users 1, 2 and 3, each several times
    renders = session.scalars(
        select(Render).where(Render.project_id.in_([1, 4])).order_by(Render.id)
    ).all()
    return module.gallery_feed(session, list(renders))


def run_empty(module, session):
    return module.gallery_feed(session, [])
