from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from renderapp.models import Render


def finish(session: Session, renders: list[Render]) -> list[tuple[int, str]]:
    for render in renders:
        render.status = "done"
    session.commit()
    render_ids = [inspect(render).identity[0] for render in renders]
    if render_ids:
        session.scalars(
            select(Render)
            .where(Render.id.in_(render_ids))
            .execution_options(populate_existing=True)
        ).all()
    return [(render.id, render.status) for render in renders]
