from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Tag


def rename_tags(session: Session, names: dict[str, str]) -> None:
    """Apply the names an import file gives the tags (tag id -> name)."""
    tag_ids = [tag_id for tag_id, name in names.items()]
    # merge() finds these rows in the session; the list keeps them there.
    existing_tags = (
        session.scalars(select(Tag).where(Tag.id.in_(tag_ids))).all() if tag_ids else []
    )
    for tag_id, name in names.items():
        session.merge(Tag(id=tag_id, name=name))
    del existing_tags
    session.flush()
