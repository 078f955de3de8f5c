from sqlalchemy import select

from renderapp.models import Render


def run(module, session):
    module.archive_by_chain(session, [2, None])
    archived = session.scalars(select(Render.id).where(Render.status == "archived").order_by(Render.id)).all()
    # chain 2 (renders 13, 14) and every render without a chain
    assert archived == [1, 4, 6, 7, 8, 9, 13, 14, 15, 16, 17, 18], archived
    return archived
