import uuid

from sqlalchemy import select

from uuidapp.models import Team, TeamMember

SEED = "uuidapp"

BEN = uuid.UUID("6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a02")


def run(module, session):
    # ben twice without autoflush: the second lookup does not see the member the first
    # item added, so the original adds him twice and the commit fails; a batch that
    # records the added member (rejected.py) adds him once and succeeds
    try:
        module.set_team(session, session.get(Team, 2), [BEN, BEN])
    except Exception as error:  # the two pending rows of one primary key
        session.rollback()
        return type(error).__name__
    return [
        (m.team_id, str(m.person_id))
        for m in session.scalars(select(TeamMember).order_by(TeamMember.team_id))
    ]
