from sqlalchemy import select
from sqlalchemy.orm import Session

from loadapp.models import Team


def pending_invitations(session: Session) -> dict[str, int]:
    teams = session.scalars(select(Team).order_by(Team.id)).all()
    # Team.invitations is lazy="noload": never loaded, filled by the code that invites
    return {team.name: len(team.invitations) for team in teams}
