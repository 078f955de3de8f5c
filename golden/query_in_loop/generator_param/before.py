from collections.abc import Iterable

from sqlalchemy.orm import Session

from renderapp.models import Render, User


def credit_lines(session: Session, renders: Iterable[Render]) -> list[str]:
    lines = []
    for render in renders:
        author = session.get(User, render.user_id)
        lines.append(f"#{render.id} {render.prompt} by {author.display_name}")
    return lines
