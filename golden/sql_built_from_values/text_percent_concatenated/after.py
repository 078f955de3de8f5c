from sqlalchemy import text
from sqlalchemy.orm import Session


def renders_of(session: Session, user_id: int, status: str) -> list[tuple]:
    rows = session.execute(
        text(
            "SELECT id, project_id FROM renders"
            " WHERE user_id = :user_id AND status = :status"
            " ORDER BY id"
        ),
        {"user_id": user_id, "status": status},
    ).all()
    return [tuple(row) for row in rows]
