from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from loadapp.models import Member, Team


def roster(session: Session) -> dict[str, list[str]]:
    teams = session.scalars(select(Team).options(selectinload(Team.members)).order_by(Team.id)).all()
    return {team.name: [member.name for member in team.members] for team in teams}


def team_sizes(session: Session) -> dict[str, int]:
    teams = session.scalars(select(Team).options(selectinload(Team.members_by_subquery)).order_by(Team.id)).all()
    return {team.name: len(team.members_by_subquery) for team in teams}


def member_teams(session: Session) -> list[tuple[str, str]]:
    members = session.scalars(select(Member).options(selectinload(Member.team)).order_by(Member.id)).all()
    return [(member.name, member.team.name) for member in members]
