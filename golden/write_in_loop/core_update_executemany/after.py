from sqlalchemy import bindparam, update
from sqlalchemy.engine import Connection

from renderapp.models import Render


def apply_positions(conn: Connection, positions: dict[int, int]) -> None:
    render_updates = [
        {"b_id": render_id, "b_chain_position": position}
        for render_id, position in positions.items()
    ]
    if render_updates:
        conn.execute(
            update(Render)
            .where(Render.id == bindparam("b_id"))
            .values(chain_position=bindparam("b_chain_position"), status="queued"),
            render_updates,
        )
