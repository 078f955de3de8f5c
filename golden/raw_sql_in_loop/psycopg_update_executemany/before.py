import psycopg


def requeue(cur: psycopg.Cursor, render_ids: list[int]) -> None:
    for render_id in render_ids:
        cur.execute("UPDATE renders SET status = %s WHERE id = %s", ("queued", render_id))
