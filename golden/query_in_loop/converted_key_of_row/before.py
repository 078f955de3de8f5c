from sqlalchemy import func, select
from sqlalchemy.orm import Session

from keyapp.models import Tag, Tagging


def top_tags(session: Session, limit: int = 3) -> list[tuple[str, int]]:
    """The most used tags and their counts, as CKAN's stats list them."""
    counts = session.execute(
        select(Tagging.tag_id, func.count(Tagging.id))
        .group_by(Tagging.tag_id)
        .order_by(func.count(Tagging.id).desc(), Tagging.tag_id)
        .limit(limit)
    ).fetchall()
    return [(session.get(Tag, str(tag_id)).name, count) for tag_id, count in counts]
