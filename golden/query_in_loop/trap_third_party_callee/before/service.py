from sqlalchemy.orm import Session

from renderapp.models import Render
from renderkit.queries import public_gallery_items


def gallery_titles(session: Session, renders: list[Render]) -> dict[int, list[str]]:
    titles = {}
    for render in renders:
        items = public_gallery_items(session, render.id)
        titles[render.id] = [item.title for item in items]
    return titles
