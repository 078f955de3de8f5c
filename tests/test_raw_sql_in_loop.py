"""raw-sql-in-loop and sql-built-from-values: the shapes each rule reports, fixes, or
leaves without a fix, and why (each line of a case is the loop's body)."""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest

from n1fix.engine.api import scan_source
from n1fix.rules import rule_by_name

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

SERVICE = """\
import sqlite3

import asyncpg
from sqlalchemy import text
from sqlalchemy.orm import Session

from renderapp.models import Project


def run(session: Session, cur: sqlite3.Cursor, projects: list[Project], ids: list[int]):
    for project in projects:
{body}
"""


def _findings(
    tmp_path: Path, body: str, rule: str = "raw-sql-in-loop", dependencies: str = ""
):
    (tmp_path / "pyproject.toml").write_text(
        f"[project]\nname = 'x'\ndependencies = [{dependencies}]\n"
    )
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        SERVICE.format(body=textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8))
    )
    return _reported(service, rule)


def _reported(path: Path, rule: str):
    """The rule's findings in the file, checked to pass the rule's `ast` gate too: a
    file the gate turned away would never be checked."""
    text = path.read_text()
    found = [f for f in scan_source(path, text) if f.rule == rule]
    if found:
        assert rule_by_name(rule)().gate(ast.parse(text), text), (
            f"gate turns away {rule}"
        )
    return found


SELECT = 'session.execute(text("SELECT id, project_id FROM renders WHERE project_id = :p"), {"p": project.id})'

CASES = [
    # (body, applicability or None for no finding, a word of the fix note)
    (f"rows = {SELECT}.all()", "safe", None),
    (f"rows = {SELECT}.fetchall()", "safe", None),
    (f"row = {SELECT}.first()", "none", "`.all()`"),
    # the key column is not selected: grouping would need it added
    (
        'rows = session.execute(text("SELECT id FROM renders WHERE project_id = :p"), {"p": project.id}).all()',
        "none",
        "does not select",
    ),
    # per-item LIMIT
    (
        'rows = session.execute(text("SELECT id, project_id FROM renders WHERE project_id = :p LIMIT 2"), {"p": project.id}).all()',
        "none",
        "LIMIT",
    ),
    # a join
    (
        'rows = session.execute(text("SELECT r.id, r.project_id FROM renders r JOIN users u ON u.id = r.user_id WHERE r.project_id = :p"), {"p": project.id}).all()',
        "none",
        "join",
    ),
    # the same query for every item: not keyed by the item, not reported
    (
        'rows = session.execute(text("SELECT id, project_id FROM renders WHERE project_id = :p"), {"p": 1}).all()',
        None,
        None,
    ),
    # a string n1fix cannot read is left alone
    (
        'rows = session.execute(text("SELECT id FROM renders WHERE project_id = :p AND \'open"), {"p": project.id}).all()',
        None,
        None,
    ),
    # the loop commits
    (f"rows = {SELECT}.all()\nsession.commit()", "none", "commit"),
    # the table is not in the model index: the key's type is not shown
    (
        'rows = session.execute(text("SELECT id, owner_id FROM archive WHERE owner_id = :p"), {"p": project.id}).all()',
        "unsafe",
        "model index",
    ),
    # keyed by a string column: the rows are grouped in Python, SQL matched them
    # under the column's collation
    (
        'rows = session.execute(text("SELECT id, name FROM projects WHERE name = :n"), {"n": project.name}).all()',
        "unsafe",
        "`projects.name` is compared as a string",
    ),
    # writes
    (
        'cur.execute("UPDATE renders SET status = ? WHERE id = ?", ("done", project.id))',
        "safe",
        None,
    ),
    (
        'cur.execute("UPDATE renders SET status = ? WHERE id = ?", ("done", project.id))\nprint(cur.rowcount)',
        "none",
        "rowcount",
    ),
    (
        'try:\n    cur.execute("DELETE FROM renders WHERE id = ?", (project.id,))\nexcept sqlite3.Error:\n    pass',
        "none",
        "`try`",
    ),
    (
        'cur.execute("UPDATE renders SET status = ? WHERE id = ?", (project.name.strip(), project.id))',
        "none",
        "calls code",
    ),
    (
        'cur.execute("INSERT INTO tags (name) VALUES (?)", (project.name,))\nif project.name == "x":\n    return',
        "none",
        "return",
    ),
    (
        'name = project.name.strip()\ncur.execute("INSERT INTO tags (name) VALUES (?)", (name,))',
        "unsafe",
        "raise",
    ),
    (
        'cur.execute("INSERT INTO tags (name) VALUES (?) RETURNING id", (project.name,))',
        "none",
        "RETURNING",
    ),
    # the key's name is rebound in the body before the query
    (f"project = project.user\nrows = {SELECT}.all()", "none", "rebinds"),
    # one params object, not written out: appended per item, a change later in the
    # loop would reach every row
    (
        'params = {"s": project.name}\ncur.execute("UPDATE tags SET n = :s", params)',
        "none",
        "not written out",
    ),
]


# Spellings at the edge of what the rules' `ast` gates read (`n1fix.sql.sending`): each
# is reported, so each must pass the gate (`_reported` checks that).
GATE_EDGES = [
    (
        "raw-sql-in-loop",
        'session.execute(text(text="SELECT id, project_id FROM renders WHERE project_id = :p"), {"p": project.id}).all()',
    ),
    (
        "raw-sql-in-loop",
        'session.scalars(text("SELECT id FROM renders WHERE project_id = :p"), {"p": project.id}).all()',
    ),
    (
        "raw-sql-in-loop",
        'cur.executemany("INSERT INTO tags (name) VALUES (?)", [(project.name,)])',
    ),
    (
        "raw-sql-in-loop",
        'cur.execute("UPDATE renders SET status = ? " "WHERE id = ?", ("done", project.id))',
    ),
    (
        "sql-built-from-values",
        'session.execute(text(text=f"SELECT id FROM renders WHERE id = {project.id}"))',
    ),
    (
        "sql-built-from-values",
        'sql = f"SELECT id FROM renders WHERE id = {project.id}"\nsession.execute(text(sql))',
    ),
    (
        "sql-built-from-values",
        'session.scalar(text("SELECT id FROM renders WHERE id = %d" % project.id))',
    ),
    (
        "sql-built-from-values",
        "cur.executemany(f\"UPDATE renders SET status = '{project.name}'\", [(1,)])",
    ),
]


@pytest.mark.parametrize(("rule", "body"), GATE_EDGES)
def test_the_gates_let_through_every_spelling_reported(tmp_path, rule, body):
    assert _findings(tmp_path, body, rule)


@pytest.mark.parametrize(
    "body",
    [
        'log.info("SELECT id FROM renders WHERE id = %s", project.id)',
        'names.append("SELECT id FROM renders")',
        'cur.execute(f"SELECT id FROM renders WHERE id = {project.id}")',
        "cur.execute(sql)",
        "session.scalars(select(Project))",
    ],
)
def test_raw_sql_in_loop_gate_wants_a_string_sent_to_the_database(body):
    source = SERVICE.format(body=" " * 8 + body)
    assert not rule_by_name("raw-sql-in-loop")().gate(ast.parse(source), source)


@pytest.mark.parametrize(
    "body",
    [
        'log.info(f"SELECT id FROM renders WHERE id = {project.id}")',
        'message = f"renders of {project.id}"\nlog.info(message)',
        'sql = f"SELECT id FROM renders WHERE id = {project.id}"\ncur.execute(other)',
        'cur.execute("SELECT id FROM renders WHERE id = ?", (project.id,))',
    ],
)
def test_sql_built_from_values_gate_wants_a_built_string_sent(body):
    source = SERVICE.format(body=textwrap.indent(body, " " * 8))
    assert not rule_by_name("sql-built-from-values")().gate(ast.parse(source), source)


@pytest.mark.parametrize(("body", "applicability", "note"), CASES)
def test_raw_sql_in_loop(tmp_path, body, applicability, note):
    found = _findings(tmp_path, body)
    if applicability is None:
        assert found == []
        return
    assert [f.applicability.value for f in found] == [applicability]
    if note is not None:
        assert note in (found[0].fix_note or ""), found[0].fix_note


def test_lastrowid_after_the_loop_blocks_the_executemany(tmp_path):
    body = 'cur.execute("INSERT INTO tags (name) VALUES (?)", (project.name,))'
    service = SERVICE.format(body=" " * 8 + body) + "    return cur.lastrowid\n"
    (tmp_path / "service.py").write_text(service)
    found = [
        f
        for f in scan_source(tmp_path / "service.py", service)
        if f.rule == "raw-sql-in-loop"
    ]
    assert [f.applicability.value for f in found] == ["none"]
    assert "lastrowid" in found[0].fix_note


INJECTION = [
    (
        "cur.execute(f\"SELECT id FROM renders WHERE status = '{project.name}'\")",
        "unsafe",
    ),
    (
        'cur.execute(f"SELECT id FROM renders WHERE id = {project.id} LIMIT {len(ids)}")',
        "none",
    ),
    ('cur.execute(f"SELECT id FROM {project.name} WHERE id = 1")', None),  # a name only
    ('cur.execute(f"SELECT id FROM {project.name} WHERE id = {project.id}")', "none"),
    ('cur.execute(f"SELECT id FROM renders WHERE id IN ({project.name})")', None),
    (
        "cur.execute(f\"SELECT id FROM renders WHERE status LIKE '%{project.name}%'\")",
        "none",
    ),
    (
        'session.execute(text(f"SELECT id FROM renders WHERE id = {project.id}"))',
        "unsafe",
    ),
    ('cur.execute(f"SET LOCAL statement_timeout TO {project.id}")', None),
    # a setting with the value inside a longer string: from code, not users
    ("cur.execute(f\"SET LOCAL lock_timeout = '{project.id}s'\")", None),
    # %-formatting and .format() are read like an f-string
    ('cur.execute("SELECT id FROM renders WHERE id = %d" % project.id)', "unsafe"),
    (
        "cur.execute(\"SELECT id FROM renders WHERE status = '{}'\".format(project.name))",
        "unsafe",
    ),
    ('cur.execute("SELECT id FROM %s WHERE id = 1" % project.name)', None),
    # a choice between literals written in the code is not data from outside (ckan's
    # `indisunique = {unique}`.format(unique='true' if unique else 'false'))
    (
        'cur.execute("SELECT id FROM renders WHERE done = {d}".format(d="true" if project.id else "false"))',
        None,
    ),
    ('cur.execute(f"SELECT id FROM renders WHERE id = {7}")', None),
    (
        'cur.execute("SELECT id FROM renders WHERE done = {d} AND id = {i}".format(d="true" if project.id else "false", i=project.id))',
        "none",  # reported for `i`; `{d}` is SQL text that no parameter can stand for
    ),
    # a conversion with a format, and values from a tuple not written out
    ('cur.execute("SELECT id FROM renders WHERE id = %05d" % project.id)', "none"),
    ('cur.execute("SELECT id FROM renders WHERE id = %s AND n = %s" % ids)', "none"),
    ('cur.execute("SELECT id FROM renders WHERE id = {0.id}".format(project))', "none"),
    # a DB-API placeholder string passed with its parameters is the right form
    ('cur.execute("SELECT id FROM renders WHERE id = ?", (project.id,))', None),
    # SQL in a variable assigned once, read only by the call: fixed right after it...
    (
        'sql = f"SELECT id FROM renders WHERE id = {project.id}"\ncur.execute(sql)',
        "unsafe",
    ),
    # ...reported when a statement runs in between
    (
        'sql = f"SELECT id FROM renders WHERE id = {project.id}"\nprint(1)\ncur.execute(sql)',
        "none",
    ),
    # assigned twice, or read again: not the string the call sends for sure
    (
        'sql = f"SELECT id FROM renders WHERE id = {project.id}"\nsql = sql + " LIMIT 1"\ncur.execute(sql)',
        None,
    ),
    (
        'sql = f"SELECT id FROM renders WHERE id = {project.id}"\nprint(sql)\ncur.execute(sql)',
        None,
    ),
]


@pytest.mark.parametrize(("body", "applicability"), INJECTION)
def test_sql_built_from_values(tmp_path, body, applicability):
    found = _findings(tmp_path, body, "sql-built-from-values")
    if applicability is None:
        assert found == []
    else:
        assert [f.applicability.value for f in found] == [applicability]


def test_no_executemany_through_sqlalchemy_on_psycopg2(tmp_path):
    """SQLAlchemy's executemany of a text() on psycopg 2 is one statement per row: the
    fix would save nothing (open-webui's pgvector loops), so none is offered."""
    body = 'session.execute(text("UPDATE renders SET status = :s WHERE id = :id"), {"s": "done", "id": project.id})'
    assert [f.applicability.value for f in _findings(tmp_path, body)] == ["safe"]
    other = tmp_path / "other"
    other.mkdir()
    found = _findings(other, body, dependencies="'psycopg2-binary>=2.9'")
    assert [f.applicability.value for f in found] == ["none"]
    assert "psycopg 2" in found[0].fix_note


def test_a_string_not_read_is_noted(tmp_path, caplog):
    body = 'rows = session.execute(text("SELECT id FROM renders WHERE id = :p AND \'open"), {"p": project.id}).all()'
    with caplog.at_level("INFO", logger="n1fix.sql"):
        assert _findings(tmp_path, body) == []
    assert "not read, left alone: a ' quote does not end" in caplog.text


PSYCOPG2_SERVICE = """\
import psycopg2

from renderapp.models import Project


def run(cur, projects: list[Project]):
    for project in projects:
{body}
"""

PSYCOPG2_SELECT = (
    'cur.execute("SELECT id, project_id FROM renders WHERE project_id = %s",'
    " (project.id,))"
)


@pytest.mark.parametrize(
    ("body", "applicability", "word"),
    [
        # execute, then fetchall into a name: one `= ANY(%s)`, grouped by row[1]
        (f"{PSYCOPG2_SELECT}\nrows = cur.fetchall()", "unsafe", "row factory"),
        # one row per item: a first-of-group batch is not written for cursors
        (f"{PSYCOPG2_SELECT}\nrow = cur.fetchone()", "none", "`.fetchall()`"),
        # the fetch is not the next statement: something may run between
        (f"{PSYCOPG2_SELECT}\nprint(project)\nrows = cur.fetchall()", "none", None),
    ],
)
def test_psycopg_select_shapes(tmp_path, body, applicability, word):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    shutil.copytree(GOLDEN / "renderapp", tmp_path / "renderapp")
    service = tmp_path / "service.py"
    service.write_text(
        PSYCOPG2_SERVICE.format(body=textwrap.indent(textwrap.dedent(body), " " * 8))
    )
    found = _reported(service, "raw-sql-in-loop")
    assert [f.applicability.value for f in found] == [applicability]
    if word:
        assert word in found[0].fix_note


def test_psycopg2_only_in_a_test_extra_is_not_the_projects_driver(tmp_path):
    from n1fix.sql.drivers import declares_psycopg2

    def project(name: str, pyproject: str) -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text(pyproject)
        return root

    tests_only = project(
        "tests_only",
        '[project]\nname = "a"\ndependencies = ["sqlalchemy"]\n'
        '[project.optional-dependencies]\ntest = ["psycopg2-binary>=2.9"]\n',
    )
    postgres_extra = project(
        "postgres_extra",
        '[project]\nname = "b"\n[project.optional-dependencies]\n'
        'postgres = ["psycopg2>=2.9"]\n',
    )
    poetry = project(
        "poetry", '[tool.poetry.dependencies]\npython = "^3.11"\npsycopg2 = "^2.9"\n'
    )
    assert not declares_psycopg2(tests_only)
    assert declares_psycopg2(postgres_extra)
    assert declares_psycopg2(poetry)


def test_exec_driver_sql_on_a_driver_not_shown_has_no_fix(tmp_path):
    """exec_driver_sql takes the driver's own placeholders: with no engine URL and no
    driver import in the file, the style is unknown, so the injection is reported
    without a fix; an asyncpg URL gives `$1` in a tuple, as SQLAlchemy's adapter takes."""
    body = (
        "def names(conn, name):\n"
        "    return conn.exec_driver_sql(\n"
        "        f\"SELECT id FROM users WHERE display_name = '{name}'\"\n"
        "    ).all()\n"
    )
    service = tmp_path / "service.py"
    service.write_text(body)
    found = _reported(service, "sql-built-from-values")
    assert [f.applicability.value for f in found] == ["none"]
    assert "placeholder style" in found[0].fix_note
    from n1fix.engine.api import fix_source

    with_url = 'URL = "postgresql+asyncpg://app@db/app"\n\n\n' + body
    fixed = fix_source(service, with_url, unsafe_fixes=True).text
    assert '("SELECT id FROM users WHERE display_name = $1", (name,))' in fixed
