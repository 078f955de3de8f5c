from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, Sport, SportPreference, Tagging


def prefer_tagged_sports(session: Session, member: Member) -> int:
    """Give `member` a preference, in the sport's colour, for every tagged sport."""
    added = 0
    for sport in session.scalars(select(Sport).join(Tagging, Tagging.sport_id == Sport.id).order_by(Sport.id)).all():
        existing = session.scalars(
            select(SportPreference).where(SportPreference.member_id == member.id, SportPreference.sport_id == sport.id)
        ).first()
        if existing is None:
            session.add(SportPreference(member_id=member.id, sport_id=sport.id, colour=sport.colour))
            added += 1
    session.flush()
    return added
