from sqlalchemy.orm import Session

from keyapp.models import Tag


def str(value) -> "builtins.str":  # noqa: A001 - the module's own `str`
    return f"t-{value}"


def tag_names(session: Session, numbers: list[int]) -> list[Tag | None]:
    return [session.get(Tag, str(number)) for number in numbers]
