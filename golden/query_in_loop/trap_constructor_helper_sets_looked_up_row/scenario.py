from sqlalchemy import select

from groupapp.models import Label, LabelledNote, Token

SEED = "groupapp"


def run(module, session):
    # "violet" is asked twice: the second lookup finds the label the first note created
    noted = module.note_labels(session, session.get(Token, 2), ["violet", "red", "violet"])
    names = [label.name for label in session.scalars(select(Label).order_by(Label.name))]
    notes = session.scalars(select(LabelledNote.id).order_by(LabelledNote.id)).all()
    return noted, names, notes
