from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Render


def public_titles(session: Session, project_id: int) -> dict[int, list[str]]:
    renders = session.scalars(
        select(Render)
        .options(selectinload(Render.gallery_items))
        .where(Render.project_id == project_id)
        .order_by(Render.id)
    ).all()
    # the loaded collection is filtered in Python on purpose: it is already in memory
    return {render.id: [item.title for item in render.gallery_items if item.is_public] for render in renders}
