from sqlalchemy import update
from sqlalchemy.engine import Connection

from renderapp.models import Render


def apply_positions(conn: Connection, positions: dict[int, int]) -> None:
    for render_id, position in positions.items():
        conn.execute(update(Render).where(Render.id == render_id).values(chain_position=position, status="queued"))
