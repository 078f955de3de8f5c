from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, SportPreference


def copy_preferences(session: Session, source: Member, target: Member) -> int:
    """Give `target` every sport preference `source` has and `target` lacks."""
    added = 0
    preferences = session.scalars(select(SportPreference).where(SportPreference.member_id == source.id)).all()
    sport_ids = [preference.sport_id for preference in preferences]
    first_sport_preference_by_sport_id = {}
    if sport_ids:
        for sport_preference in session.scalars(
            select(SportPreference).where(SportPreference.member_id == target.id, SportPreference.sport_id.in_(sport_ids))
        ):
            first_sport_preference_by_sport_id.setdefault(
                sport_preference.sport_id, sport_preference
            )
    for preference in preferences:
        existing = first_sport_preference_by_sport_id.get(preference.sport_id)
        if existing is None:
            session.add(SportPreference(member_id=target.id, sport_id=preference.sport_id, colour=preference.colour))
            added += 1
    session.flush()
    return added
