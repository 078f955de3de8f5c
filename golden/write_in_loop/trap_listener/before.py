from sqlalchemy import update
from sqlalchemy.orm import Session

from ledgerapp.models import Note


def archive_notes(session: Session, notes: list[Note]) -> None:
    for note in notes:
        # one statement per note, as the rest of this module writes notes
        session.execute(update(Note).where(Note.id == note.id).values(archived=True))
