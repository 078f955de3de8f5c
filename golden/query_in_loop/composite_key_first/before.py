from sqlalchemy import select
from sqlalchemy.orm import Session

from keyapp.models import Member, Sport, SportPreference


def sport_colours(session: Session, sports: list[Sport], member: Member | None) -> dict[str, str]:
    """Per sport, the member's own colour for it, else the sport's."""
    colours = {}
    for sport in sports:
        preference = (
            session.scalars(
                select(SportPreference).where(SportPreference.member_id == member.id, SportPreference.sport_id == sport.id)
            ).first()
            if member
            else None
        )
        colours[sport.label] = preference.colour if preference is not None else sport.colour
    return colours
