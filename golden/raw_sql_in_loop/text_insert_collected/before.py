from sqlalchemy import text
from sqlalchemy.orm import Session


def publish(session: Session, picks: list[tuple[int, str]]) -> int:
    published = 0
    for render_id, title in picks:
        if not title.strip():
            continue
        session.execute(
            text(
                "INSERT INTO gallery_items (render_id, title, is_public, published_at)"
                " VALUES (:render_id, :title, true, '2024-03-02 10:00:00')"
            ),
            {"render_id": render_id, "title": title.strip().capitalize()},
        )
        published += 1
    return published
