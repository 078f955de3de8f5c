from sqlalchemy import select

from renderapp.models import Render


def run(service, session):
    # chain 1 holds renders 10, 11 and 12; chain 4 holds none (an empty loop, and no UPDATE after the fix)
    service.dissolve_chain(session, 1)
    service.dissolve_chain(session, 4)
    unlinked = session.scalars(select(Render).where(Render.id.in_([10, 11, 12])).order_by(Render.id)).all()
    return [(r.id, r.project_id, r.chain_id, r.chain_position) for r in unlinked]
