from sqlalchemy import select

from keyapp.models import Sport

SEED = "keyapp"


def _sports(session):
    return [(s.id, s.label, s.colour) for s in session.scalars(select(Sport).order_by(Sport.id))]


def run(module, session):
    # sports 2 and 4 exist and change colour; 7 and 9 are created
    created = module.set_colours(session, {2: "teal", 7: "gold", 4: "black", 9: "white"})
    return created, _sports(session)


def run_empty(module, session):
    return module.set_colours(session, {}), _sports(session)
