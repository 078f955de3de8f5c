"""Keys that are not a plain column of the item, and what the code proves about them."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

HEADER = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from keyapp.models import Member, Sport, SportPreference, Tag, Tagging
"""


def _scan(tmp_path, code: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "keyapp", tmp_path / "keyapp")
    service = tmp_path / "service.py"
    service.write_text(textwrap.dedent(HEADER) + textwrap.dedent(code))
    return scan_source(service, service.read_text())


@pytest.mark.parametrize(
    "query, applicability",
    [
        # (member_id, sport_id) is the primary key and member_id is fixed: one row a sport
        (
            "session.query(SportPreference).filter_by(sport_id=sport.id, member_id=member.id).first()",
            "safe",
        ),
        (
            "session.scalars(select(SportPreference).where(SportPreference.sport_id == sport.id, SportPreference.member_id == member.id)).one_or_none()",
            "safe",
        ),
        # member_id not fixed: several rows a sport, and no ORDER BY to pick one
        (
            "session.query(SportPreference).filter_by(sport_id=sport.id).first()",
            "unsafe",
        ),
        (
            "session.scalars(select(SportPreference).where(SportPreference.sport_id == sport.id, SportPreference.member_id != member.id)).first()",
            "unsafe",
        ),
        # a filter_by after a join names the joined model's columns, not the primary key's
        (
            "session.query(SportPreference).join(Member).filter_by(id=member.id).filter(SportPreference.sport_id == sport.id).first()",
            "unsafe",
        ),
    ],
)
def test_a_composite_primary_key_completed_by_fixed_columns_is_unique(
    tmp_path, query, applicability
):
    (finding,) = _scan(
        tmp_path,
        f"""
        def colours(session: Session, sports: list[Sport], member: Member):
            return [{query} for sport in sports]
        """,
    )
    assert finding.applicability.value == applicability, finding.message
    if applicability == "safe":
        assert "(member_id, sport_id) identifies a row of `SportPreference`" in (
            finding.message
        )
