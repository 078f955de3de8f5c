from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, SportPreference


def set_colours(session: Session, member: Member, colours: list[tuple[int, str]]) -> None:
    """Set the member's colour for each sport, the last one given for a sport winning."""
    for sport_id, colour in colours:
        preference = session.scalars(
            select(SportPreference).where(SportPreference.member_id == member.id, SportPreference.sport_id == sport_id)
        ).first()
        if preference:
            preference.colour = colour
        else:
            new_preference = SportPreference(member_id=member.id, sport_id=sport_id, colour=colour)
            session.add(new_preference)
    session.flush()
