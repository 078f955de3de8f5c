from sqlalchemy.orm import Session

from keyapp.models import SportPreference


def save_colours(session: Session, member_id: int, colours: dict[int, str]) -> None:
    """Store a member's colour per sport: sport id -> colour."""
    for sport_id, colour in sorted(colours.items()):
        session.merge(
            SportPreference(member_id=member_id, sport_id=sport_id, colour=colour)
        )
    session.flush()
