from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def sport_colours(session: Session, names: list[str]) -> list[str | None]:
    """Colours for sport names typed into a form, stray spaces and all."""
    colours = []
    for name in names:
        label = name.strip()
        sport = session.scalars(select(Sport).where(Sport.label == label)).first()
        colours.append(sport.colour if sport is not None else None)
    return colours
