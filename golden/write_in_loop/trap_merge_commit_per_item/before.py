from sqlalchemy.orm import Session

from keyapp.models import Tag


def rename_tags(session: Session, names: dict[str, str]) -> None:
    """Apply the names an import gives the tags, each one committed on its own."""
    for tag_id, name in names.items():
        session.merge(Tag(id=tag_id, name=name))
        session.commit()
