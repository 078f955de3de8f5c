from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, User


def credit_lines(session: Session, renders: Iterable[Render]) -> list[str]:
    lines = []
    renders = list(renders)
    user_ids = [render.user_id for render in renders]
    users_by_id = {}
    if user_ids:
        users_by_id = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    for render in renders:
        author = users_by_id.get(render.user_id)
        lines.append(f"#{render.id} {render.prompt} by {author.display_name}")
    return lines
