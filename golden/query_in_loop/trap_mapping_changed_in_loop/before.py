from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def walk_labels(session: Session, steps: list[str], next_label: dict[str, str]) -> list[str]:
    """Follow a chain of labels: each step rewrites where the next one leads."""
    colours = []
    for step in steps:
        sport = session.scalars(select(Sport).where(Sport.label == next_label[step])).one_or_none()
        colours.append(sport.colour if sport is not None else "none")
        next_label[step] = "rowing"
    return colours
