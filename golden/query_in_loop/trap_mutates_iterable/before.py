from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def render_descendants(session: Session, root: Render) -> list[Render]:
    pending = [root]
    descendants = []
    for render in pending:
        children = session.scalars(select(Render).where(Render.parent_render_id == render.id).order_by(Render.id)).all()
        descendants.extend(children)
        pending.extend(children)
    return descendants
