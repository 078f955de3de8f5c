import psycopg2


def requeue(cur: "psycopg2.extensions.cursor", render_ids: list[int]) -> None:
    for render_id in render_ids:
        cur.execute("UPDATE renders SET status = %s WHERE id = %s", ("queued", render_id))
