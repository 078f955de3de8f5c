import uuid

from sqlalchemy.orm import Session

from uuidapp.models import Person


def add_people(session: Session, names: list[str]) -> None:
    for name in names:
        session.add(Person(id=uuid.uuid4(), full_name=name))
    session.flush()
