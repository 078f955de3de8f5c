import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from uuidapp.models import Team, TeamMember


def set_team(session: Session, team: Team, person_ids: list[uuid.UUID]):
    """Put each person on the team unless they are on it already."""
    with session.no_autoflush:
        first_team_member_by_person_id = {}
        if person_ids:
            for team_member in session.scalars(
                select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.person_id.in_(person_ids))
            ):
                first_team_member_by_person_id.setdefault(team_member.person_id, team_member)
        for person_id in person_ids:
            member = first_team_member_by_person_id.get(person_id)
            if member is None:
                member = TeamMember(team_id=team.id, person_id=person_id)
                session.add(member)
                first_team_member_by_person_id[person_id] = member
    session.commit()
