from sqlalchemy import text
from sqlalchemy.orm import Session


def set_statuses(session: Session, statuses: dict[int, str]) -> None:
    for render_id, status in statuses.items():
        session.execute(
            text("UPDATE renders SET status = :status WHERE id = :render_id"),
            {"status": status, "render_id": render_id},
        )
