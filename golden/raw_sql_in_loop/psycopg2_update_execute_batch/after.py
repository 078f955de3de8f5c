import psycopg2
from psycopg2.extras import execute_batch


def requeue(cur: "psycopg2.extensions.cursor", render_ids: list[int]) -> None:
    renders_updates = [("queued", render_id) for render_id in render_ids]
    if renders_updates:
        execute_batch(
            cur, "UPDATE renders SET status = %s WHERE id = %s", renders_updates
        )
