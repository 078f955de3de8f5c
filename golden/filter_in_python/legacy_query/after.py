from sqlalchemy.orm import Session

from renderapp.models import Render


def derived_renders_of(session: Session) -> list[Render]:
    """Renders made from another one, by Ana or Chloé."""
    derived = (
        session.query(Render)
        .filter(Render.parent_render_id.isnot(None), Render.user_id.in_([1, 3]))
        .order_by(Render.id)
        .all()
    )
    return derived
