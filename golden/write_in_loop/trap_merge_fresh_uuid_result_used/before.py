import uuid

from sqlalchemy.orm import Session

from uuidapp.models import Person


def add_people(session: Session, names: list[str]) -> list[str]:
    added = []
    for name in names:
        person = session.merge(Person(id=uuid.uuid4(), full_name=name))
        added.append(person.full_name)
    return added
