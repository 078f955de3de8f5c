from sqlalchemy import Connection, create_engine

engine = create_engine("postgresql+psycopg://app@db/renders")


def s_projects(conn: Connection, user_id: int) -> list[tuple]:
    rows = conn.exec_driver_sql(
        "SELECT id, name FROM projects WHERE user_id = %s AND name LIKE 'S%%' ORDER BY id",
        (user_id,),
    ).all()
    return [tuple(row) for row in rows]
