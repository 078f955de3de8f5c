from sqlalchemy import select

from uuidapp.models import Team, TeamMember

SEED = "uuidapp"

ANA = "6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a01"
BEN = "6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a02"
CHLOE = "6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a03"


def _members(session):
    return [
        (m.team_id, str(m.person_id))
        for m in session.scalars(select(TeamMember).order_by(TeamMember.team_id, TeamMember.person_id))
    ]


def run(module, session):
    # ids as an import file holds them (strings), ben twice: the second lookup finds the
    # member the first added (a batch that did not record it would add ben twice and
    # fail on the primary key); ana is on team 1 already; team 2 gets ben from a UUID
    # object and from its string, which are one person
    module.set_team(session, session.get(Team, 1), [BEN, ANA, BEN, CHLOE])
    module.set_team(session, session.get(Team, 2), [__import__("uuid").UUID(BEN), BEN])
    return _members(session)


def run_empty(module, session):
    module.set_team(session, session.get(Team, 1), [])
    return _members(session)
