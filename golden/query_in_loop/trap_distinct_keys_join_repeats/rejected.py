from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, Sport, SportPreference, Tagging


def prefer_tagged_sports(session: Session, member: Member) -> int:
    """Give `member` a preference, in the sport's colour, for every tagged sport."""
    added = 0
    sports = session.scalars(select(Sport).join(Tagging, Tagging.sport_id == Sport.id).order_by(Sport.id)).all()
    sport_ids = [sport.id for sport in sports]
    first_sport_preference_by_sport_id = {}
    if sport_ids:
        for sport_preference in session.scalars(
            select(SportPreference).where(SportPreference.member_id == member.id, SportPreference.sport_id.in_(sport_ids))
        ):
            first_sport_preference_by_sport_id.setdefault(
                sport_preference.sport_id, sport_preference
            )
    for sport in sports:
        existing = first_sport_preference_by_sport_id.get(sport.id)
        if existing is None:
            session.add(SportPreference(member_id=member.id, sport_id=sport.id, colour=sport.colour))
            added += 1
    session.flush()
    return added
