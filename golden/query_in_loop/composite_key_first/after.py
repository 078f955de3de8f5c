from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, Sport, SportPreference


def sport_colours(session: Session, sports: list[Sport], member: Member | None) -> dict[str, str]:
    """Per sport, the member's own colour for it, else the sport's."""
    colours = {}
    sport_ids = [sport.id for sport in sports]
    first_sport_preference_by_sport = {}
    if sport_ids and member:
        for sport_preference in session.scalars(
            select(SportPreference).where(SportPreference.member_id == member.id, SportPreference.sport_id.in_(sport_ids))
        ):
            first_sport_preference_by_sport.setdefault(
                sport_preference.sport_id, sport_preference
            )
    for sport in sports:
        preference = (
            first_sport_preference_by_sport.get(sport.id)
            if member
            else None
        )
        colours[sport.label] = preference.colour if preference is not None else sport.colour
    return colours
