import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from uuidapp.models import Team, TeamMember


def set_team(session: Session, team: Team, person_ids: list[uuid.UUID]):
    """Put each person on the team unless they are on it already."""
    with session.no_autoflush:
        for person_id in person_ids:
            member = session.scalars(
                select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.person_id == person_id)
            ).first()
            if member is None:
                member = TeamMember(team_id=team.id, person_id=person_id)
                session.add(member)
    session.commit()
