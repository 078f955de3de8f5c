from sqlalchemy.orm import Session

from renderapp.models import Render, User


def attribution_lines(session: Session, renders: list[Render]) -> list[str]:
    lines = []
    for render in renders:
        owner_id = render.user_id
        owner = session.get(User, owner_id)
        lines.append(f"#{render.id} {render.prompt[:20]} by {owner.display_name}")
    return lines
