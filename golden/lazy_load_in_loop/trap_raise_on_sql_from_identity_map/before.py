from sqlalchemy import select
from sqlalchemy.orm import Session

from loadapp.models import Member, Team


def members_by_team(session: Session, team_ids: list[int]) -> list[tuple[str, str]]:
    teams = session.scalars(select(Team).where(Team.id.in_(team_ids))).all()
    members = session.scalars(select(Member).where(Member.team_id.in_([team.id for team in teams])).order_by(Member.id)).all()
    # Member.home_team is lazy="raise_on_sql": every team is in the identity map already
    return [(member.name, member.home_team.name) for member in members]
