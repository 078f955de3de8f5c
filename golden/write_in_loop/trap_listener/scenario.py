from sqlalchemy import select

from ledgerapp.models import Note

SEED = "ledgerapp"


def run(module, session):
    notes = session.scalars(select(Note).where(Note.account_id == 1).order_by(Note.id)).all()
    module.archive_notes(session, notes)
    return [(note.id, note.archived) for note in notes]
