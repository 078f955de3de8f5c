import psycopg


def s_projects(cur: psycopg.Cursor, user_id: int) -> list[tuple]:
    cur.execute(
        "SELECT id, name FROM projects WHERE user_id = %s AND name LIKE 'S%%' ORDER BY id",
        (user_id,),
    )
    return cur.fetchall()
