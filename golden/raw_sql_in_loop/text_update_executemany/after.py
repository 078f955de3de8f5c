from sqlalchemy import text
from sqlalchemy.orm import Session


def set_statuses(session: Session, statuses: dict[int, str]) -> None:
    renders_updates = [
        {"status": status, "render_id": render_id}
        for render_id, status in statuses.items()
    ]
    if renders_updates:
        session.execute(
            text("UPDATE renders SET status = :status WHERE id = :render_id"),
            renders_updates,
        )
