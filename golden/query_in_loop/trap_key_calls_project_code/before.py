from sqlalchemy.orm import Session

from keyapp.models import Tag

_SEEN: list[str] = []


def tag_key(raw: str) -> str:
    """Project code: it records what it was asked, so it must run once per item, in order."""
    _SEEN.append(raw)
    return f"t-{raw}"


def tag_names(session: Session, numbers: list[str]) -> list[str | None]:
    names = []
    for number in numbers:
        tag = session.get(Tag, tag_key(number))
        names.append(tag.name if tag is not None else None)
    return names
