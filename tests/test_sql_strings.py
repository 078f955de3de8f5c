"""SQL strings: the placeholder tokeniser on every style, the facts read with sqlglot,
and the calls recognised as sending SQL (n1fix/orm/sql/)."""

from __future__ import annotations

import libcst as cst
import pytest

from n1fix.sql.calls import raw_sql_call
from n1fix.sql.drivers import file_drivers
from n1fix.sql.placeholders import PlaceholderError, Style, tokenize
from n1fix.sql.statements import INSERT, SELECT, UPDATE, Unreadable, read_sql

NAMED = frozenset({Style.NAMED})
SQLITE = frozenset({Style.QMARK, Style.NAMED})
PSYCOPG = frozenset({Style.FORMAT, Style.PYFORMAT})
ASYNCPG = frozenset({Style.NUMERIC})


def keys(sql, styles):
    return [(p.style, p.key) for p in tokenize(sql, styles).placeholders]


@pytest.mark.parametrize(
    ("sql", "styles", "expected"),
    [
        (
            "id = :user_id AND x = :x2",
            NAMED,
            [(Style.NAMED, "user_id"), (Style.NAMED, "x2")],
        ),
        ("id = %(user_id)s", PSYCOPG, [(Style.PYFORMAT, "user_id")]),
        ("id = %s AND y = %s", PSYCOPG, [(Style.FORMAT, 1), (Style.FORMAT, 2)]),
        ("id = ? AND y = ?", SQLITE, [(Style.QMARK, 1), (Style.QMARK, 2)]),
        ("id = $1 AND y = $2", ASYNCPG, [(Style.NUMERIC, 1), (Style.NUMERIC, 2)]),
    ],
)
def test_each_style_is_found(sql, styles, expected):
    assert keys(sql, styles) == expected


def test_spans_point_at_the_original_text():
    sql = "SELECT * FROM t WHERE a = %(key)s"
    (mark,) = tokenize(sql, PSYCOPG).placeholders
    assert sql[mark.start : mark.end] == "%(key)s"


@pytest.mark.parametrize(
    ("sql", "styles"),
    [
        ("SELECT ':not_a_bind', 'it''s ?' FROM t", SQLITE),
        ('SELECT ":quoted" FROM t', NAMED),
        ("SELECT x::int FROM t", NAMED),
        ("SELECT 1 -- :comment ?\n", SQLITE),
        ("SELECT 1 /* %s */", PSYCOPG),
        ("SELECT $$ $1 $$, $tag$ :x $tag$", ASYNCPG | NAMED),
        ("SELECT data ? 'key' FROM t", PSYCOPG),  # jsonb's ? operator on psycopg
        ("SELECT '100%%' LIKE x", PSYCOPG),
        ("SELECT a\\:b", NAMED),
        ("SELECT arr[1:2]", NAMED),
    ],
)
def test_what_is_no_placeholder(sql, styles):
    assert keys(sql, styles) == []


def test_the_neutral_text_replaces_marks_and_unescapes():
    tokens = tokenize("SELECT '%%', a FROM t WHERE b = %s", PSYCOPG)
    assert tokens.neutral == "SELECT '%', a FROM t WHERE b = :n1fix_p32"


@pytest.mark.parametrize(
    ("sql", "styles"),
    [
        ("SELECT 'open", NAMED),
        ("SELECT 1 /* open", NAMED),
        ("a = ? AND b = :b", SQLITE),  # mixed styles
        ("a = %s AND b = %(b)s", PSYCOPG),
        ("a LIKE '%' || %d", PSYCOPG),
    ],
)
def test_strings_not_guessed_at(sql, styles):
    with pytest.raises(PlaceholderError):
        tokenize(sql, styles)


def test_select_facts():
    facts = read_sql(
        "SELECT p.id, p.title AS name, p.user_id FROM posts p "
        "WHERE p.user_id = :uid AND p.status = 'live' ORDER BY p.id DESC LIMIT 3",
        NAMED,
        "sqlite",
    )
    assert facts.kind == SELECT and facts.table == "posts"
    assert [(k.column, k.placeholder.key) for k in facts.keys] == [("user_id", "uid")]
    assert facts.selected == ("id", "name", "user_id")
    assert facts.order_by == ("p.id DESC",)
    assert facts.limit == "3"
    assert facts.complications == ()


def test_star_and_complications():
    facts = read_sql(
        "SELECT * FROM a JOIN b ON a.id = b.a_id WHERE b.x = $1", ASYNCPG, "postgres"
    )
    assert facts.selected is None
    assert "a join" in facts.complications
    counted = read_sql("SELECT count(*) FROM a WHERE x = ?", SQLITE, "sqlite")
    assert "an aggregate" in counted.complications


def test_only_top_level_conjuncts_are_keys():
    facts = read_sql("SELECT a FROM t WHERE x = %s OR y = %s", PSYCOPG, "postgres")
    assert facts.keys == ()


def test_writes():
    update = read_sql("UPDATE t SET a = ?, b = ? WHERE id = ?", SQLITE, "sqlite")
    assert update.kind == UPDATE and update.table == "t"
    assert update.written_columns == ("a", "b")
    assert [k.column for k in update.keys] == ["id"]
    insert = read_sql("INSERT INTO t (a, b) VALUES (%s, %s)", PSYCOPG, "postgres")
    assert insert.kind == INSERT and insert.table == "t"
    assert insert.written_columns == ("a", "b")


def test_unparseable_is_unreadable():
    assert isinstance(read_sql("SELEC a FROM", NAMED, None), Unreadable)
    assert isinstance(read_sql("SELECT 1; SELECT 2", NAMED, None), Unreadable)


def call_of(code: str):
    return cst.parse_expression(code)


def drivers(imports=None, text=""):
    return file_drivers(imports or {}, text)


def test_text_call_with_named_params():
    found = raw_sql_call(
        call_of(
            'session.execute(text("SELECT a FROM t WHERE id = :id"), {"id": u.id})'
        ),
        drivers(text='create_engine("postgresql+psycopg://x")'),
    )
    assert found.api == "sqlalchemy" and found.dialect == "postgres"
    assert list(found.params) == ["id"]
    assert found.facts.keys[0].column == "id"


def test_dbapi_calls_follow_the_imported_driver():
    sqlite = raw_sql_call(
        call_of('cur.execute("SELECT a FROM t WHERE id = ?", (u.id,))'),
        drivers({"sqlite3": "sqlite3"}),
    )
    assert sqlite.api == "sqlite3" and len(sqlite.params) == 1
    psycopg = raw_sql_call(
        call_of('cur.execute("SELECT a FROM t WHERE id = %s", [u.id])'),
        drivers({"psycopg": "psycopg"}),
    )
    assert psycopg.api == "psycopg" and psycopg.dialect == "postgres"
    asyncpg = raw_sql_call(
        call_of('conn.fetch("SELECT a FROM t WHERE id = $1", u.id)'),
        drivers({"asyncpg": "asyncpg"}),
    )
    assert asyncpg.api == "asyncpg" and len(asyncpg.params) == 1


def test_no_driver_no_guess():
    assert raw_sql_call(call_of('cur.execute("SELECT 1")'), drivers()) is None
    assert raw_sql_call(call_of('conn.exec_driver_sql("SELECT 1")'), drivers()) is None
    # a string built at run time is not read here
    code = 'cur.execute(f"SELECT a FROM {table}")'
    assert raw_sql_call(call_of(code), drivers({"sqlite3": "sqlite3"})) is None
