from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, SportPreference


def set_colours(session: Session, member: Member, colours: list[tuple[int, str]]) -> None:
    """Set the member's colour for each sport, the last one given for a sport winning."""
    sport_ids = [sport_id for sport_id, colour in colours]
    first_sport_preference_by_sport_id = {}
    if sport_ids:
        for sport_preference in session.scalars(
            select(SportPreference).where(SportPreference.member_id == member.id, SportPreference.sport_id.in_(sport_ids))
        ):
            first_sport_preference_by_sport_id.setdefault(
                sport_preference.sport_id, sport_preference
            )
    for sport_id, colour in colours:
        preference = first_sport_preference_by_sport_id.get(sport_id)
        if preference:
            preference.colour = colour
        else:
            new_preference = SportPreference(member_id=member.id, sport_id=sport_id, colour=colour)
            session.add(new_preference)
            first_sport_preference_by_sport_id[sport_id] = new_preference
    session.flush()
