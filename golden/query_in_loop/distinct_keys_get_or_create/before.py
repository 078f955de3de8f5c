from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, SportPreference


def copy_preferences(session: Session, source: Member, target: Member) -> int:
    """Give `target` every sport preference `source` has and `target` lacks."""
    added = 0
    for preference in session.scalars(select(SportPreference).where(SportPreference.member_id == source.id)).all():
        existing = session.scalars(
            select(SportPreference).where(SportPreference.member_id == target.id, SportPreference.sport_id == preference.sport_id)
        ).first()
        if existing is None:
            session.add(SportPreference(member_id=target.id, sport_id=preference.sport_id, colour=preference.colour))
            added += 1
    session.flush()
    return added
