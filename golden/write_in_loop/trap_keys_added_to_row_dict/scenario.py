from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    # project 1's chain 3, and the renders in no chain (key None: `== None` is IS NULL;
    # `in_([3, None])` would leave them out)
    module.archive_chains(session, 1, {None: None})
    return session.scalars(select(Render.id).where(Render.status == "archived").order_by(Render.id)).all()
