import sqlite3


def users_named(cur: sqlite3.Cursor, name: str) -> list[tuple]:
    cur.execute(
        "SELECT id, email FROM users WHERE display_name = ? ORDER BY id",
        (name,),
    )
    return cur.fetchall()
