from sqlalchemy.orm import Session

from renderapp.models import Render


def derived_renders_of(session: Session) -> list[Render]:
    """Renders made from another one, by Ana or Chloé."""
    rows = session.query(Render).order_by(Render.id).all()
    derived = [r for r in rows if r.parent_render_id is not None and r.user_id in (1, 3)]
    return derived
