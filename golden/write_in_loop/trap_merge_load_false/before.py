from sqlalchemy.orm import Session

from keyapp.models import Tag


def adopt_tags(session: Session, tags: list[Tag]) -> list[Tag]:
    """Bring tags loaded by another session (a cache) into this one, as they are:
    `load=False` trusts them and never queries."""
    return [session.merge(tag, load=False) for tag in tags]


def adopt_tags_one_by_one(session: Session, tags: list[Tag]) -> None:
    for tag in tags:
        session.merge(tag, load=False)
