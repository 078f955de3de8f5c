from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render


def chain_ids(session: Session, project_id: int) -> set[int]:
    renders = session.scalars(
        select(Render).where(Render.project_id == project_id, Render.chain_id.is_not(None))
    ).all()
    return {render.chain.id for render in renders}
