from sqlalchemy import select
from sqlalchemy.orm import Session

from groupapp.models import Label, Note, Token


def note_labels(session: Session, token: Token, names: list[str]) -> int:
    """Note each label no note has created yet, creating it; count the notes."""
    noted = 0
    for name in names:
        existing = session.execute(select(Label).filter_by(name=name)).scalar_one_or_none()
        if existing is None:
            session.add(Note(token.id, name))
            noted += 1
    session.flush()
    return noted
