from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from renderapp.models import Render, User


@dataclass
class FeedEntry:
    render_id: int
    prompt: str
    author: str


def gallery_feed(session: Session, renders: list[Render]) -> list[FeedEntry]:
    user_ids = [render.user_id for render in renders]
    users_by_id = {}
    if user_ids:
        users_by_id = {
            user.id: user
            for user in session.scalars(select(User).where(User.id.in_(user_ids)))
        }
    owners = [users_by_id.get(render.user_id) for render in renders]
    return [
        FeedEntry(
            render_id=render.id,
            prompt=render.prompt,
            author=owner.display_name if owner is not None else "deleted user",
        )
        for render, owner in zip(renders, owners)
    ]
