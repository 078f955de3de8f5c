import sqlite3


def publish(cur: sqlite3.Cursor, render_ids: list[int], title: str) -> list[int]:
    item_ids = []
    for render_id in render_ids:
        cur.execute(
            "INSERT INTO gallery_items (render_id, title, is_public, published_at)"
            " VALUES (?, ?, 1, '2024-03-02 10:00:00.000000')",
            (render_id, title),
        )
        item_ids.append(cur.lastrowid)
    return item_ids
