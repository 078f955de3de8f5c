from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def colours_for(session: Session, codes: list[str], labels: dict[str, str]) -> list[str | None]:
    """The colour of the sport each short code names (`labels` maps codes to labels)."""
    colours = []
    for code in codes:
        sport = session.scalars(select(Sport).where(Sport.label == labels[code])).one_or_none()
        colours.append(sport.colour if sport is not None else None)
    return colours
