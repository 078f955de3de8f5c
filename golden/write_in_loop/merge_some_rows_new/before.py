from sqlalchemy.orm import Session

from keyapp.models import Tag


def rename_tags(session: Session, names: dict[str, str]) -> None:
    """Apply the names an import file gives the tags (tag id -> name)."""
    for tag_id, name in names.items():
        session.merge(Tag(id=tag_id, name=name))
    session.flush()
