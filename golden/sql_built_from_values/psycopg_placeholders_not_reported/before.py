import psycopg


def s_projects(cur: psycopg.Cursor, user_id: int) -> list[tuple]:
    cur.execute("SELECT id, name FROM projects WHERE user_id = %s AND name LIKE 'S%%' ORDER BY id", (user_id,))
    return cur.fetchall()


def named(cur: psycopg.Cursor, name: str) -> list[tuple]:
    sql = "SELECT id FROM projects WHERE name = %(name)s ORDER BY id"
    cur.execute(sql, {"name": name})
    return cur.fetchall()
