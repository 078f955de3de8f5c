import sqlite3


def projects_matching(cur: sqlite3.Cursor, term: str) -> list[tuple]:
    cur.execute(f"SELECT id, name FROM projects WHERE name LIKE '%{term}%' ORDER BY id")
    return cur.fetchall()
