import sqlite3


def count_rows(cur: sqlite3.Cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cur.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cur.fetchone()[0]
    return counts
