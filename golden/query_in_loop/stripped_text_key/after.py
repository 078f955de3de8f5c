from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def sport_colours(session: Session, names: list[str]) -> list[str | None]:
    """Colours for sport names typed into a form, stray spaces and all."""
    colours = []
    labels = [name.strip() for name in names]
    first_sport_by_label = {}
    if labels:
        for name_sport in session.scalars(select(Sport).where(Sport.label.in_(labels))):
            first_sport_by_label.setdefault(name_sport.label, name_sport)
    for name in names:
        label = name.strip()
        sport = first_sport_by_label.get(label)
        colours.append(sport.colour if sport is not None else None)
    return colours
