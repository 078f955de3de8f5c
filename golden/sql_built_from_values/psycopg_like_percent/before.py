import psycopg


def s_projects(cur: psycopg.Cursor, user_id: int) -> list[tuple]:
    cur.execute(f"SELECT id, name FROM projects WHERE user_id = {user_id} AND name LIKE 'S%' ORDER BY id")
    return cur.fetchall()
