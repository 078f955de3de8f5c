from sqlalchemy import Connection, create_engine

engine = create_engine("sqlite:///renders.db")


def renders_with_status(conn: Connection, status: str) -> list[tuple]:
    rows = conn.exec_driver_sql(
        "SELECT id, project_id FROM renders WHERE status = ? ORDER BY id",
        (status,),
    ).all()
    return [tuple(row) for row in rows]
