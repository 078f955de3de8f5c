"""Teams 1-3 (3 has no members); members 1-5 on teams 1 and 2."""

from __future__ import annotations

from sqlalchemy.orm import Session

from loadapp.models import Member, Team


def seed(session: Session) -> None:
    session.add_all([Team(id=1, name="render farm"), Team(id=2, name="web"), Team(id=3, name="new hires")])
    session.flush()
    session.add_all(
        [
            Member(id=1, team_id=1, name="ana"),
            Member(id=2, team_id=1, name="ben"),
            Member(id=3, team_id=2, name="chloe"),
            Member(id=4, team_id=1, name="dev"),
            Member(id=5, team_id=2, name="eli"),
        ]
    )
    session.flush()
