from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Project, Render


def renders_of_first_named(
    session: Session, projects: Sequence[Project], name: str
) -> list[int]:
    """The render ids of the first project with this name (none if there is none)."""
    render_ids: list[int] = []
    for project in projects:
        if project.name == name:
            renders = session.scalars(
                select(Render)
                .where(Render.project_id == project.id)
                .order_by(Render.id)
            ).all()
            render_ids = [render.id for render in renders]
            break
    return render_ids


def numbered_until_first_other(
    session: Session, projects: Sequence[Project]
) -> tuple[list[int], list[int]]:
    """The numbers of the projects named by a number, up to the first that is not, and
    that project's render ids."""
    numbers: list[int] = []
    render_ids: list[int] = []
    for project in projects:
        try:
            numbers.append(int(project.name))
        except ValueError:
            render_ids = list(
                session.scalars(
                    select(Render.id)
                    .where(Render.project_id == project.id)
                    .order_by(Render.id)
                )
            )
            break
    return numbers, render_ids
