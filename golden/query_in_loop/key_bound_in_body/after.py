from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, User


def attribution_lines(session: Session, renders: list[Render]) -> list[str]:
    lines = []
    user_ids = [render.user_id for render in renders]
    users_by_id = {}
    if user_ids:
        users_by_id = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    for render in renders:
        owner_id = render.user_id
        owner = users_by_id.get(owner_id)
        lines.append(f"#{render.id} {render.prompt[:20]} by {owner.display_name}")
    return lines
