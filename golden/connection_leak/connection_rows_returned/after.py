from sqlalchemy import Engine, text


def project_names(engine: Engine, user_id: int) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name FROM projects WHERE user_id = :user_id ORDER BY id"),
            {"user_id": user_id},
        ).all()
        return [row.name for row in rows]
