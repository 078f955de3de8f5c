from sqlalchemy import select

from uuidapp.models import Person

SEED = "uuidapp"


def run(module, session):
    people = session.scalars(select(Person).order_by(Person.full_name)).all()
    # serialised rows hold the ids as strings: SQL counts each person's logins; a batch
    # keyed by the UUIDs the database gives back finds none of the string keys
    serialised = [{"id": str(p.id), "full_name": p.full_name} for p in people]
    return module.login_counts(session, serialised)
