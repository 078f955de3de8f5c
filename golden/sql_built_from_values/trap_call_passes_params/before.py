import sqlite3


def renders_of(cur: sqlite3.Cursor, status: str, project_id: int) -> list[tuple]:
    cur.execute(f"SELECT id FROM renders WHERE status = '{status}' AND project_id = ? ORDER BY id", (project_id,))
    return cur.fetchall()
