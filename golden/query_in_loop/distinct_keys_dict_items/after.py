from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Sport


def set_colours(session: Session, colours: dict[int, str]) -> int:
    """Give each sport its colour, creating the sports that do not exist yet."""
    created = 0
    items = list(colours.items())
    sport_ids = [sport_id for sport_id, colour in items]
    sports_by_id = {}
    if sport_ids:
        sports_by_id = {
            sport.id: sport
            for sport in session.scalars(select(Sport).where(Sport.id.in_(sport_ids)))
        }
    for sport_id, colour in items:
        sport = sports_by_id.get(sport_id)
        if sport is None:
            session.add(Sport(id=sport_id, label=f"sport {sport_id}", colour=colour))
            created += 1
        else:
            sport.colour = colour
    session.flush()
    return created
