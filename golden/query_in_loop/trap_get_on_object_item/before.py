from sqlalchemy.orm import Session

from renderapp.models import User


class Assignment:
    """Project code with a dict-like `.get`: it counts every read, so each must happen
    once per item, in order."""

    reads: list[str] = []

    def __init__(self, owner_id: int) -> None:
        self.owner_id = owner_id

    def get(self, field: str) -> int:
        Assignment.reads.append(field)
        return getattr(self, field)


def owner_names(session: Session, assignments: list[Assignment]) -> list[str]:
    names = []
    for assignment in assignments:
        user = session.get(User, assignment.get("owner_id"))
        names.append(user.display_name if user is not None else "unknown")
    return names
