"""Get-or-create whose keys may repeat: the batch records each row the loop adds.

The rewrite is offered (unsafe: it relies on autoflush) only when the row the loop adds is
the one the per-item query would find: built by the model's constructor with every
filtered column set as the query compares it, added in the `if <lookup> is None:` branch
of the lookup's own name, and the query filtered by equalities alone.
"""

from __future__ import annotations

import pytest
from n1fix_project import write_service

from n1fix.engine.api import fix_source, scan_source

MODELS = """
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)


class Membership(Base):
    __tablename__ = "memberships"
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    person_id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[int] = mapped_column(default=0)
"""

HEADER = """
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Membership, Team


"""

LOOKUP = (
    "select(Membership).where(Membership.team_id == team.id, "
    "Membership.person_id == person_id)"
)


def _service(lookup: str = LOOKUP, terminal: str = "first", branch: str = "") -> str:
    branch = branch or (
        "        if link is None:\n"
        "            link = Membership(team_id=team.id, person_id=person_id)\n"
        "            session.add(link)\n"
    )
    return (
        "def set_team(session: Session, team: Team, other: Team, person_ids: list[int]):\n"
        "    for person_id in person_ids:\n"
        f"        link = session.scalars({lookup}).{terminal}()\n"
        f"{branch}"
        "    session.commit()\n"
    )


@pytest.mark.parametrize(
    "branch,recorded",
    [
        (
            "",
            "            session.add(link)\n"
            "            first_membership_by_person_id[person_id] = link\n",
        ),
        # an upsert: the add in the `else` of `if link:`, under another name
        (
            "        if link:\n"
            "            link.role = 1\n"
            "        else:\n"
            "            new = Membership(team_id=team.id, person_id=person_id, role=1)\n"
            "            session.add(new)\n",
            "            session.add(new)\n"
            "            first_membership_by_person_id[person_id] = new\n",
        ),
    ],
)
def test_get_or_create_records_each_added_row(tmp_path, branch, recorded):
    path = write_service(tmp_path, MODELS, HEADER, _service(branch=branch))
    findings = scan_source(path, path.read_text())
    assert [f.applicability.value for f in findings] == ["unsafe"], findings
    assert "relies on the session's autoflush" in findings[0].message
    fixed = fix_source(path, path.read_text(), unsafe_fixes=True).text
    assert recorded in fixed, fixed


@pytest.mark.parametrize(
    "lookup,terminal,branch",
    [
        # the row added is on another team: the query would not find it
        (
            LOOKUP,
            "first",
            "        if link is None:\n"
            "            link = Membership(team_id=other.id, person_id=person_id)\n"
            "            session.add(link)\n",
        ),
        # added whatever the lookup found
        (
            LOOKUP,
            "first",
            "        link = Membership(team_id=team.id, person_id=person_id)\n"
            "        session.add(link)\n",
        ),
        # the object added is built before the lookup, not in the branch
        (
            LOOKUP,
            "first",
            "        new = Membership(team_id=team.id, person_id=person_id)\n"
            "        if link is None:\n"
            "            session.add(new)\n",
        ),
        # added when the lookup found a row
        (
            LOOKUP,
            "first",
            "        if link is not None:\n"
            "            new = Membership(team_id=team.id, person_id=person_id)\n"
            "            session.add(new)\n",
        ),
        # a condition other than an equality: the new row may not match it
        (
            "select(Membership).where(Membership.team_id == team.id, "
            "Membership.person_id == person_id, Membership.role > 0)",
            "first",
            "",
        ),
        # every row of a key: a list, not one row to record
        (LOOKUP, "all", ""),
    ],
)
def test_adds_the_batch_cannot_record_get_no_fix(tmp_path, lookup, terminal, branch):
    path = write_service(tmp_path, MODELS, HEADER, _service(lookup, terminal, branch))
    findings = scan_source(path, path.read_text())
    assert [f.applicability.value for f in findings] == ["none"], [
        f.message for f in findings
    ]
