from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def colours_for(session: Session, codes: list[str], labels: dict[str, str]) -> list[str | None]:
    """The colour of the sport each short code names (`labels` maps codes to labels)."""
    colours = []
    code_keys = [labels[code] for code in codes]
    sports_by_label = {}
    if code_keys:
        sports_by_label = {
            sport.label: sport
            for sport in session.scalars(
                select(Sport).where(Sport.label.in_(code_keys))
            )
        }
    for code in codes:
        sport = sports_by_label.get(labels[code])
        colours.append(sport.colour if sport is not None else None)
    return colours
