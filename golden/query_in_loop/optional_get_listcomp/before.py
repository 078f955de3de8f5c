from dataclasses import dataclass

from sqlalchemy.orm import Session

from renderapp.models import Render, User


@dataclass
class FeedEntry:
    render_id: int
    prompt: str
    author: str


def gallery_feed(session: Session, renders: list[Render]) -> list[FeedEntry]:
    owners = [session.get(User, render.user_id) for render in renders]
    return [
        FeedEntry(
            render_id=render.id,
            prompt=render.prompt,
            author=owner.display_name if owner is not None else "deleted user",
        )
        for render, owner in zip(renders, owners)
    ]
