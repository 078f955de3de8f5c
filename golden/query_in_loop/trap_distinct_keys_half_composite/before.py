from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, SportPreference


def adopt_all_preferences(session: Session, target: Member) -> int:
    """Give `target` a preference for every sport someone has one for."""
    added = 0
    for preference in session.scalars(select(SportPreference).order_by(SportPreference.member_id)).all():
        existing = session.scalars(
            select(SportPreference).where(SportPreference.member_id == target.id, SportPreference.sport_id == preference.sport_id)
        ).first()
        if existing is None:
            session.add(SportPreference(member_id=target.id, sport_id=preference.sport_id, colour=preference.colour))
            added += 1
    session.flush()
    return added
