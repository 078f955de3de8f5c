"""filter-in-python beyond the golden cases: which tests are pushed into the WHERE and how
safe that is (NULL, types, literals), what is not a filter on the row's own columns, and
which queries and rows must keep loading everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from n1fix.engine.api import fix_source, scan_source
from n1fix_project import write_service

MODELS = """
    import enum
    from datetime import datetime

    from sqlalchemy import ForeignKey, Numeric, String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


    class Base(DeclarativeBase):
        pass


    class Team(Base):
        __tablename__ = "teams"
        id: Mapped[int] = mapped_column(primary_key=True)
        members: Mapped[list["Member"]] = relationship(back_populates="team")


    class Member(Base):
        __tablename__ = "members"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
        level: Mapped[int]
        rank: Mapped[int | None]
        name: Mapped[str] = mapped_column(String(50))
        score: Mapped[float]
        is_admin: Mapped[bool]
        is_muted: Mapped[bool | None]
        left_at: Mapped[datetime | None]
        team: Mapped[Team] = relationship(back_populates="members")
"""

HEADER = """
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.models import Member, Team


"""


def project(tmp_path: Path, body: str) -> Path:
    return write_service(tmp_path, MODELS, HEADER, body)


def findings(service: Path):
    return [
        f
        for f in scan_source(service, service.read_text())
        if f.rule == "filter-in-python"
    ]


def over_members(test: str) -> str:
    return (
        "def f(session: Session, level: int):\n"
        "    members = session.scalars(select(Member)).all()\n"
        f"    return [m for m in members if {test}]\n"
    )


@pytest.mark.parametrize(
    "test, condition",
    [
        ("m.level == 3", "Member.level == 3"),
        ("3 == m.level", "Member.level == 3"),
        ("m.level >= 2", "Member.level >= 2"),
        ("2 < m.level", "Member.level > 2"),
        ("m.level != 3", "Member.level != 3"),
        ("m.rank != 3", "or_(Member.rank != 3, Member.rank.is_(None))"),
        (
            "m.rank not in (1, 2)",
            "or_(Member.rank.not_in([1, 2]), Member.rank.is_(None))",
        ),
        ("m.rank in {1, 2}", "Member.rank.in_([1, 2])"),
        ("m.is_admin", "Member.is_admin.is_(True)"),
        ("not m.is_admin", "Member.is_admin.is_(False)"),
        (
            "not m.is_muted",
            "or_(Member.is_muted.is_(False), Member.is_muted.is_(None))",
        ),
        ("m.is_admin == False", "Member.is_admin.is_(False)"),
        ("m.is_muted == False", "Member.is_muted.is_(False)"),
        ("m.left_at is None", "Member.left_at.is_(None)"),
        ("m.left_at is not None", "Member.left_at.is_not(None)"),
        ("m.rank == None", "Member.rank.is_(None)"),
    ],
)
def test_safe_conditions(tmp_path, test, condition):
    service = project(tmp_path, over_members(test))
    [finding] = findings(service)
    assert finding.applicability.value == "safe", finding.fix_note
    text = fix_source(service, service.read_text()).text
    assert condition in text
    assert " if " not in text.split("def f", 1)[1]


@pytest.mark.parametrize(
    "test, why",
    [
        ('m.name == "ann"', "collation"),
        ('m.name in ("ann", "bo")', "collation"),
        ("m.score > 1.5", "float"),
        ("m.level == level", "not a literal"),
        ("m.rank < 3", "TypeError"),
    ],
)
def test_unsafe_conditions(tmp_path, test, why):
    [finding] = findings(project(tmp_path, over_members(test)))
    assert finding.applicability.value == "unsafe"
    assert why in finding.fix_note


@pytest.mark.parametrize(
    "test, why",
    [
        ("m.level", "truth"),  # 0 is false in Python, not a SQL test
        ("m.name", "truth"),
        ("m.rank in (1, None)", "NULL"),
    ],
)
def test_no_fix(tmp_path, test, why):
    service = project(tmp_path, over_members(test))
    [finding] = findings(service)
    assert finding.applicability.value == "none" and why in finding.fix_note
    assert (
        fix_source(service, service.read_text(), unsafe_fixes=True).text
        == service.read_text()
    )


@pytest.mark.parametrize(
    "test",
    [
        "m.name.startswith('a')",  # a method call
        "m.team.id == 1",  # a relationship
        "m.level == 1 or m.is_admin",  # an `or`
        "m.level == m.rank",  # two columns of the row: not against a fixed value
        "len(m.name) > 3",
    ],
)
def test_not_a_filter_on_own_columns(tmp_path, test):
    assert findings(project(tmp_path, over_members(test))) == []


@pytest.mark.parametrize(
    "body",
    [
        # a relationship collection, not a query's result
        "def f(team: Team):\n    return [m for m in team.members if m.is_admin]\n",
        # rows passed in
        "def f(members: list[Member]):\n    return [m for m in members if m.is_admin]\n",
        # a LIMIT: the WHERE would change which rows it keeps
        "def f(session: Session):\n    return [m for m in session.scalars(select(Member).limit(10)) if m.is_admin]\n",
        "def f(session: Session):\n    return [m for m in session.query(Member).distinct().all() if m.is_admin]\n",
        # columns, not entities
        "def f(session: Session):\n    return [r for r in session.execute(select(Member.id, Member.level)) if r.level == 1]\n",
    ],
)
def test_not_reported(tmp_path, body):
    assert findings(project(tmp_path, body)) == []


@pytest.mark.parametrize(
    "body, why",
    [
        (
            "    members = session.scalars(select(Member)).all()\n"
            "    admins = [m for m in members if m.is_admin]\n"
            "    return admins, members\n",
            "`members` is used elsewhere",
        ),
        (  # the statement is run by another query too
            "    stmt = select(Member)\n"
            "    members = session.scalars(stmt).all()\n"
            "    total = len(session.scalars(stmt).all())\n"
            "    return [m for m in members if m.is_admin], total\n",
            "`stmt` is run elsewhere",
        ),
    ],
)
def test_rows_or_statement_used_elsewhere_have_no_fix(tmp_path, body, why):
    [finding] = findings(project(tmp_path, "def f(session: Session):\n" + body))
    assert finding.applicability.value == "none" and why in finding.fix_note


def test_an_existing_where_gets_the_conditions(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    members = session.query(Member).filter(Member.team_id == 1).all()\n"
        "    return [m.id for m in members if m.left_at is not None]\n",
    )
    text = fix_source(service, service.read_text()).text
    assert ".filter(Member.team_id == 1, Member.left_at.isnot(None))" in text
    assert text.count(".filter(") == 1
    assert "return [m.id for m in members]" in text


def test_or_is_imported_once_beside_select(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    members = session.scalars(select(Member)).all()\n"
        "    return [m for m in members if m.rank != 1 and m.is_muted != True]\n",
    )
    text = fix_source(service, service.read_text()).text
    assert "from sqlalchemy import or_, select\n" in text
    assert text.count("or_(") == 2


def test_rows_not_right_before_stay_named(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session):\n"
        "    members = session.scalars(select(Member)).all()\n"
        "    print(len('x'))\n"
        "    return [m for m in members if m.is_admin]\n",
    )
    text = fix_source(service, service.read_text()).text
    assert (
        "members = session.scalars(select(Member).where(Member.is_admin.is_(True))).all()"
        in text
    )
    assert "return members\n" in text


def test_the_truth_of_a_datetime_is_not_none(tmp_path):
    service = project(tmp_path, over_members("m.left_at"))
    [finding] = findings(service)
    assert finding.applicability.value == "safe"
    assert (
        "Member.left_at.is_not(None)" in fix_source(service, service.read_text()).text
    )


def test_a_method_call_in_any_test_makes_it_no_finding(tmp_path):
    # the first test alone has no fix (an int's truth); the second is not about columns
    assert (
        findings(project(tmp_path, over_members("m.level and m.name.startswith('a')")))
        == []
    )


def test_awaited_rows_iterated_directly_become_a_list_of_the_awaited_result(tmp_path):
    service = project(
        tmp_path,
        "async def f(session):\n    return [m for m in await session.scalars(select(Member)) if m.is_admin]\n",
    )
    text = fix_source(service, service.read_text()).text
    assert (
        "return (await session.scalars(" in text
        and "select(Member).where(Member.is_admin.is_(True))" in text
    )
    assert text.rstrip().endswith(")).all()")


@pytest.mark.parametrize(
    "comp",
    ["{m.id for m in members if m.is_admin}", "(m for m in members if m.is_admin)"],
)
def test_other_comprehensions_keep_their_kind(tmp_path, comp):
    service = project(
        tmp_path,
        f"def f(session: Session):\n    members = session.scalars(select(Member)).all()\n    return {comp}\n",
    )
    text = fix_source(service, service.read_text()).text
    assert "select(Member).where(Member.is_admin.is_(True))" in text
    assert comp.replace(" if m.is_admin", "") in text


def test_a_comprehension_in_a_loop_still_builds_a_new_list_each_pass(tmp_path):
    service = project(
        tmp_path,
        "def f(session: Session, teams):\n"
        "    members = session.scalars(select(Member)).all()\n"
        "    for team in teams:\n"
        "        team.admins = [m for m in members if m.is_admin]\n",
    )
    text = fix_source(service, service.read_text()).text
    assert "team.admins = list(members)" in text
