from sqlalchemy.orm import Session

from keyapp.models import Sport


def set_colours(session: Session, colours: dict[int, str]) -> int:
    """Give each sport its colour, creating the sports that do not exist yet."""
    created = 0
    for sport_id, colour in colours.items():
        sport = session.get(Sport, sport_id)
        if sport is None:
            session.add(Sport(id=sport_id, label=f"sport {sport_id}", colour=colour))
            created += 1
        else:
            sport.colour = colour
    session.flush()
    return created
