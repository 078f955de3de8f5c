import sqlite3


def users_named(cur: sqlite3.Cursor, name: str) -> list[tuple]:
    cur.execute(f"SELECT id, email FROM users WHERE display_name = '{name}' ORDER BY id")
    return cur.fetchall()
