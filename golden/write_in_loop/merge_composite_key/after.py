from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import SportPreference


def save_colours(session: Session, member_id: int, colours: dict[int, str]) -> None:
    """Store a member's colour per sport: sport id -> colour."""
    sport_ids = [sport_id for sport_id, colour in sorted(colours.items())]
    # merge() finds these rows in the session; the list keeps them there.
    existing_sport_preferences = (
        session.scalars(
            select(SportPreference).where(
                SportPreference.member_id == member_id,
                SportPreference.sport_id.in_(sport_ids),
            )
        ).all()
        if sport_ids
        else []
    )
    for sport_id, colour in sorted(colours.items()):
        session.merge(
            SportPreference(member_id=member_id, sport_id=sport_id, colour=colour)
        )
    del existing_sport_preferences
    session.flush()
