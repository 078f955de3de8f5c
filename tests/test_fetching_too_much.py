"""count-via-len, first-row-via-all and whole-rows-for-one-column: the shapes each
reports, and the ones it leaves alone (real code's related managers, prefetched rows and
statements it cannot read)."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SERVICE = """\
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from renderapp.models import Project, Render


def run(session: Session, stmt, project: Project):
{body}
"""

CASES = [
    # (rule, body, applicability or None for no finding, a word of the fix note)
    ("count-via-len", "n = len(session.scalars(select(Render)).all())", "safe", None),
    ("count-via-len", "n = len(session.scalars(stmt).all())", "unsafe", "select()"),
    (
        "count-via-len",
        "n = len(session.scalars(select(Render)).unique().all())",
        None,
        None,
    ),
    # a related collection may be loaded already: its len() sends nothing
    ("count-via-len", "n = len(project.renders)", None, None),
    ("count-via-len", "n = len(rows.all())", None, None),
    (
        "count-via-len",
        "n = len(session.query(Render).options(joinedload(Render.project)).all())",
        "unsafe",
        "loader options",
    ),
    (
        "first-row-via-all",
        "r = session.query(Render).order_by(Render.id).limit(3).all()[0]",
        None,
        None,
    ),
    ("first-row-via-all", "r = session.query(Render).all()[0]", "unsafe", "ORDER BY"),
    ("first-row-via-all", "r = project.renders[0]", None, None),
    (
        "whole-rows-for-one-column",
        "ids = [r.id for r in session.execute(select(Render)).all()]",
        None,
        None,
    ),
    (
        "whole-rows-for-one-column",
        "ids = [r.id for r in session.scalars(select(Render)) if r.status]",
        None,
        None,
    ),
    (
        "whole-rows-for-one-column",
        "ids = [r.id for r in session.scalars(select(Render).distinct()).all()]",
        "none",
        "DISTINCT",
    ),
    (
        "whole-rows-for-one-column",
        "ids = [r.project for r in session.scalars(select(Render)).all()]",
        None,
        None,
    ),
    # one query per project: query-in-loop's finding, whose batch replaces the query
    (
        "whole-rows-for-one-column",
        "ids = [[r.id for r in session.scalars(select(Render).where("
        "Render.project_id == p.id)).all()] for p in stmt]",
        None,
        None,
    ),
    (
        "whole-rows-for-one-column",
        "for p in stmt:\n    ids = [r.id for r in session.scalars(select(Render)"
        ".where(Render.project_id == p.id)).all()]",
        None,
        None,
    ),
    # a loop around a query that does not change with it: still this rule's
    (
        "whole-rows-for-one-column",
        "for p in stmt:\n    ids = [r.id for r in session.scalars(select(Render)).all()]",
        "safe",
        None,
    ),
]


@pytest.mark.parametrize(("rule", "body", "applicability", "word"), CASES)
def test_shapes(tmp_path, rule, body, applicability, word):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(SERVICE.format(body=textwrap.indent(body, " " * 4)))
    found = [f for f in scan_source(service, service.read_text()) if f.rule == rule]
    if applicability is None:
        assert found == []
        return
    assert [f.applicability.value for f in found] == [applicability]
    if word:
        assert word in found[0].fix_note


REBOUND = """\
query = session.query(Render)
query = query.filter(Render.id == 1)
n = len(query.all())"""

PARAMETER = "n = len(stmt.all())"

BOUND_IN_LOOP = """\
for query in [session.query(Render)]:
    n = len(query.all())"""


@pytest.mark.parametrize("body", [REBOUND, PARAMETER, BOUND_IN_LOOP])
def test_a_name_not_bound_once_to_a_query_is_not_counted(tmp_path, body):
    """A Query in a name is read only when the name is bound once in the function, to
    the Query chain itself: rebound, a parameter or a loop target may hold anything."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(SERVICE.format(body=textwrap.indent(body, " " * 4)))
    found = scan_source(service, service.read_text())
    assert [f for f in found if f.rule == "count-via-len"] == []
