"""The ORM seam: rules ask the project's dialect (`ctx.orm`), not SQLAlchemy's recognisers.

A toy dialect that knows one made-up query call, plugged in where the engine chooses the
dialect, is what `query-in-loop` consults: the made-up call in a loop is reported, and
`session.get()`, which only SQLAlchemy's dialect knows, no longer is.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from n1fix.cst.chains import MethodCall
from n1fix.engine import runner
from n1fix.engine.api import scan_source
from n1fix.orm.dialect import (
    Cardinality,
    Loading,
    OrmDialect,
    QueryShape,
    RelationshipInfo,
    Style,
)
from n1fix.orm.dialects import dialect_for
from n1fix.orm.sqlalchemy_dialect import SQLALCHEMY

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SERVICE = """
    from sqlalchemy.orm import Session

    from renderapp.models import Render


    def fetched(db, render_ids: list[int]):
        return [db.fetch_one(Render, render_id) for render_id in render_ids]


    def got(session: Session, render_ids: list[int]):
        return [session.get(Render, render_id) for render_id in render_ids]
"""


class FetchOnlyDialect:
    """An ORM whose one query is `db.fetch_one(Model, key)`: the row of that key, or None.
    Every other question is answered as SQLAlchemy would."""

    name = "fetch-only"

    def query_shape(self, node: cst.BaseExpression) -> QueryShape | None:
        if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
            return None
        if node.func.attr.value != "fetch_one" or len(node.args) != 2:
            return None
        return QueryShape(
            node=node,
            style=Style.V2,
            is_async=False,
            session=node.func.value,
            cardinality=Cardinality.OPTIONAL,
            terminal=MethodCall("fetch_one", node),
            terminal_action="none",
            entity=node.args[0].value,
            get_key=node.args[1].value,
        )

    def __getattr__(self, question: str):
        return getattr(SQLALCHEMY, question)


@pytest.fixture
def service(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    path = tmp_path / "service.py"
    path.write_text(textwrap.dedent(SERVICE))
    return path


def queries_in_loops(service: Path) -> list[str]:
    """The function each query-in-loop finding is in."""
    lines = service.read_text().splitlines()
    found = []
    for finding in scan_source(service, service.read_text()):
        if finding.rule == "query-in-loop":
            above = [line for line in lines[: finding.line] if line.startswith("def ")]
            found.append(above[-1].split("(")[0].removeprefix("def "))
    return found


def test_sqlalchemy_is_the_dialect_the_engine_chooses(service):
    assert dialect_for(["sqlalchemy.orm.Session"]) is SQLALCHEMY
    assert isinstance(SQLALCHEMY, OrmDialect)
    assert queries_in_loops(service) == ["got"]


def test_a_rule_consults_the_dialect_on_the_context(service, monkeypatch):
    chosen: list[list[str]] = []

    def toy_for(imported, models=None):
        chosen.append(list(imported))
        return FetchOnlyDialect()

    monkeypatch.setattr(runner, "dialect_for", toy_for)
    assert queries_in_loops(service) == ["fetched"]
    # chosen once for the project, from what its files import
    assert len(chosen) == 1 and "sqlalchemy.orm.Session" in chosen[0]


def test_the_dialect_is_part_of_the_results_cache_key(service, monkeypatch):
    from n1fix.engine.api import _setup

    _, make = _setup(service, service.read_text())
    sqlalchemy_key = make(service.read_text()).project.fingerprint()
    monkeypatch.setattr(
        runner, "dialect_for", lambda imported, models=None: FetchOnlyDialect()
    )
    _, make = _setup(service, service.read_text())
    assert make(service.read_text()).project.fingerprint() != sqlalchemy_key


@pytest.mark.parametrize(
    "statement,lazy,loading",
    [
        ("select(User)", "select", Loading.LAZY),
        ("select(User)", "selectin", Loading.EAGER),
        ("select(User)", "raise_on_sql", Loading.RAISE),
        ("select(User)", "dynamic", Loading.OTHER),
        ("select(User).options(selectinload(User.projects))", "select", Loading.EAGER),
        ("select(User).options(raiseload(User.projects))", "selectin", Loading.RAISE),
        ("select(User).options(lazyload(User.projects))", "joined", Loading.LAZY),
        ("select(User).options(noload(User.projects))", "select", Loading.OTHER),
        ("select(User).options(selectinload(User.renders))", "select", Loading.LAZY),
    ],
)
def test_sqlalchemy_says_how_a_relationship_loads(statement, lazy, loading):
    """The query's option for the path wins over the relationship's own `lazy=`."""
    _head, calls = SQLALCHEMY.statement_parts(cst.parse_expression(statement))
    projects = RelationshipInfo(attr="projects", target="app.models.Project", lazy=lazy)
    assert (
        SQLALCHEMY.loading(SQLALCHEMY.loader_options(calls), ("projects",), projects)
        is loading
    )
