import psycopg


def requeue(cur: psycopg.Cursor, render_ids: list[int]) -> None:
    renders_updates = [("queued", render_id) for render_id in render_ids]
    if renders_updates:
        cur.executemany("UPDATE renders SET status = %s WHERE id = %s", renders_updates)
