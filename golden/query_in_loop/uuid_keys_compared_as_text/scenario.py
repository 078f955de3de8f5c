from sqlalchemy import select

from uuidapp.models import Person

SEED = "uuidapp"


def run(module, session):
    people = session.scalars(select(Person).order_by(Person.full_name)).all()
    # serialised rows hold the ids as strings (zou's persons); other callers hand the
    # UUID objects themselves, and a list may hold both: each finds its own logins
    serialised = [{"id": str(p.id), "full_name": p.full_name} for p in people]
    as_objects = [{"id": p.id, "full_name": p.full_name} for p in people]
    mixed = [serialised[0], as_objects[0], as_objects[1], serialised[2]]
    return [module.presence_sheet(session, rows) for rows in (serialised, as_objects, mixed)]


def run_empty(module, session):
    return module.presence_sheet(session, [])
