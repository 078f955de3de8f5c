from sqlalchemy import select

from keyapp.models import Sport

SEED = "keyapp"


def run(module, session):
    module.import_sports(session, {"hiking": "brown", "climbing": "black"})
    return [(s.id, s.label, s.colour) for s in session.scalars(select(Sport).order_by(Sport.id))]
