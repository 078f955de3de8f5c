"""Three people: ana logged in on days 3 and 1, ben on day 2, chloe never; two teams,
the first with ana on it, the second with nobody."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from uuidapp.models import LoginLog, Person, Team, TeamMember

ANA = uuid.UUID("6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a01")
BEN = uuid.UUID("6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a02")
CHLOE = uuid.UUID("6f1c2a4e-0b7d-4c1e-9a3f-2d5e8b7c1a03")


def seed(session: Session) -> None:
    session.add_all(
        [
            Person(id=ANA, full_name="Ana"),
            Person(id=BEN, full_name="Ben"),
            Person(id=CHLOE, full_name="Chloe"),
        ]
    )
    session.add_all([Team(id=1, name="layout"), Team(id=2, name="lighting")])
    session.flush()
    session.add_all(
        [
            LoginLog(id=1, person_id=ANA, day=3),
            LoginLog(id=2, person_id=BEN, day=2),
            LoginLog(id=3, person_id=ANA, day=1),
        ]
    )
    session.add(TeamMember(team_id=1, person_id=ANA))
