"""first-row-via-all's gate reads `<x>.all()[0]` as the check does
(`fetched_rows.all_rows`, `bound_query_rows`): only where `x` may be a runner's call, a
1.x Query chain or a name. On tricky spellings the findings with and without the gate
are the same, and found; a Django related manager's `.all()[0]` is turned away.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.rules.first_row_via_all import rule as first_row

MODELS = """\
from sqlalchemy import ForeignKey
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
    team: Mapped[Team] = relationship(back_populates="members")
"""

# One function per spelling, each in a module of its own (with the header).
SPELLINGS = """\
import sqlalchemy as sa
from sqlalchemy import select as pick
from sqlalchemy.orm import Session

from app import models
from app.models import Member as Person


def scalars_of_select(session: Session):
    return session.scalars(sa.select(Person).order_by(Person.id)).all()[0]


def execute_of_a_statement(session: Session, stmt):
    return session.execute(stmt).all()[0]


async def awaited(session):
    return (await session.scalars(sa.select(models.Member).order_by(models.Member.id))).all()[0]


def legacy_query(session: Session):
    return session.query(Person).filter(Person.level > 1).order_by(Person.id).all()[0]


def legacy_query_through_self(self):
    return self.db.session.query(Person).join(models.Team).all()[ 0 ]


def model_query():
    return Person.query.filter_by(level=2).all()[0]


def bound_query(session: Session):
    query = session.query(Person).order_by(Person.id)
    return query.all()[0]


def in_a_lambda(session: Session):
    return lambda: session.query(Person).all()[0]


def a_related_collection(team: models.Team):
    return team.members.all()[0]


def an_imported_select(session: Session):
    return pick(Person).where(Person.level == 1).all()[0]


def a_chain_on_a_name(q):
    return q.filter(Person.level == 1).all()[0]
"""

TURNED_AWAY = {"a_related_collection", "an_imported_select", "a_chain_on_a_name"}
# Let through, and not reported: the check does not look into lambdas.
NOT_FOUND = TURNED_AWAY | {"in_a_lambda"}


def _modules(source: str) -> dict[str, str]:
    lines = source.splitlines(keepends=True)
    starts = [
        i for i, line in enumerate(lines) if line.startswith(("def ", "async def "))
    ]
    header = "".join(lines[: starts[0]])
    return {
        lines[start].split("def ", 1)[1].split("(", 1)[0]: header
        + "".join(lines[start:end])
        for start, end in zip(starts, [*starts[1:], len(lines)])
    }


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("first_rows")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    (root / "app" / "rows").mkdir()
    (root / "app" / "rows" / "__init__.py").write_text("")
    for name, text in _modules(SPELLINGS).items():
        (root / "app" / "rows" / f"{name}.py").write_text(text)
    config = Config(cache=False, select=("first-row-via-all",))
    return run([root], root, config, use_gate=True), run(
        [root], root, config, use_gate=False
    )


def test_the_gate_loses_no_finding(both_runs):
    gated, ungated = both_runs
    assert sorted((f.to_json() for f in gated.findings), key=repr) == sorted(
        (f.to_json() for f in ungated.findings), key=repr
    )


def test_every_spelling_is_found(both_runs):
    gated, _ = both_runs
    found = {Path(f.path).stem for f in gated.findings}
    assert found == set(_modules(SPELLINGS)) - NOT_FOUND


def test_the_gate_turns_away_what_is_no_query():
    for name, text in _modules(SPELLINGS).items():
        assert first_row.gate(ast.parse(text), text) is (name not in TURNED_AWAY), name


def test_the_gate_and_the_check_read_one_set_of_calls():
    from n1fix.analysis import ast_fetched_rows, fetched_rows

    assert fetched_rows.RUNNERS is ast_fetched_rows.RUNNERS
    assert fetched_rows.STATEMENT_CALLS is ast_fetched_rows.STATEMENT_CALLS
    assert fetched_rows.DJANGO_CALLS is ast_fetched_rows.DJANGO_CALLS
