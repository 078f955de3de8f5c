from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from renderapp.models import Project, Render


def chain_names(session: Session, user_id: int) -> dict[str, dict[int, str | None]]:
    """For each project of a user, the chain each of its renders belongs to."""
    projects = session.scalars(
        select(Project)
        .options(selectinload(Project.renders).selectinload(Render.chain))
        .where(Project.user_id == user_id)
        .order_by(Project.id)
    ).all()
    names = {}
    for project in projects:
        names[project.name] = {render.id: render.chain.name if render.chain else None for render in project.renders}
    return names
