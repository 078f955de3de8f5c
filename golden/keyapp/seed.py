"""Members 1-3 (3 has no preferences); sports 1-4; member 1 prefers colours for sports 1
and 3, member 2 for sport 3 only (so sport 3 has two preference rows: only the member's
own must be picked); tags "t-1" .. "t-4" ("t-4" tags nothing), taggings with repeats."""

from __future__ import annotations

from sqlalchemy.orm import Session

from keyapp.models import Member, Sport, SportPreference, Tag, Tagging


def seed(session: Session) -> None:
    session.add_all(
        [Member(id=1, name="ana"), Member(id=2, name="ben"), Member(id=3, name="chloe")]
    )
    session.add_all(
        [
            Sport(id=1, label="running", colour="red"),
            Sport(id=2, label="cycling", colour="blue"),
            Sport(id=3, label="hiking", colour="green"),
            Sport(id=4, label="rowing", colour="grey"),
        ]
    )
    session.add_all(
        [Tag(id=f"t-{n}", name=name) for n, name in enumerate(["trail", "road", "hill", "lake"], 1)]
    )
    session.flush()
    session.add_all(
        [
            SportPreference(member_id=1, sport_id=1, colour="orange"),
            SportPreference(member_id=1, sport_id=3, colour="olive"),
            SportPreference(member_id=2, sport_id=3, colour="teal"),
        ]
    )
    session.add_all(
        [
            Tagging(id=1, tag_id="t-1", sport_id=1),
            Tagging(id=2, tag_id="t-1", sport_id=3),
            Tagging(id=3, tag_id="t-2", sport_id=2),
            Tagging(id=4, tag_id="t-3", sport_id=3),
            Tagging(id=5, tag_id="t-1", sport_id=4),
        ]
    )
    session.flush()
