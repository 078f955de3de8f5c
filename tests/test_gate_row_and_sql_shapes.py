"""The gates of related-key-via-relationship, filter-in-python and sql-built-from-values
read the shapes their checks report: on tricky spellings (aliases, dotted annotations,
async, comprehensions of every kind, nested functions and lambdas, decorators, imports
under other names) the findings with and without the gates are the same, and found;
on the shapes the checks can never report, the gates say no.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from n1fix.config import Config
from n1fix.engine.runner import run
from n1fix.rules.filter_in_python.rule import FilterInPython
from n1fix.rules.related_key_via_relationship.rule import RelatedKeyViaRelationship
from n1fix.rules.sql_built_from_values.rule import SqlBuiltFromValues

MODELS = """\
from datetime import datetime

from sqlalchemy import ForeignKey, String
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
    is_admin: Mapped[bool]
    left_at: Mapped[datetime | None]
    team: Mapped[Team] = relationship(back_populates="members")
"""

# One function per spelling, each holding one finding (named by its function).
RELATED_KEYS = """\
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import models
from app.models import Member as Person, Team


def loop_over_query(session: Session):
    for m in session.scalars(select(Person)):
        print(m.team.id)


def comprehension_over_rows(session):
    rows = session.scalars(select(Person)).all()
    return [m.team.id for m in rows]


def dict_over_query(session):
    return {m.id: m.team.id for m in session.scalars(select(Person)).all()}


def annotated_collection(members: list[Person]):
    for m in members:
        print(m.team.id)


def dotted_annotation(m: models.Member):
    return m.team.id


async def awaited_get(session):
    m = await session.get(Person, 1)
    return m.team.id


def fetched_then_lambda(session):
    m = session.get(Person, 1)
    return lambda: m.team.id


def decorated(session):
    @staticmethod
    def inner(m: Person):
        return m.team.id

    return inner


def through_relationship(team: Team):
    for m in team.members:
        print(m.team.id)


def built_under_another_name():
    m = Person(team_id=1)
    return m.team.id


def built_through_the_module():
    m = models.Member(team_id=1)
    return m.team.id


def inner_loop_rebinds(session, items):
    for m in items:
        for m in session.scalars(select(Person)):
            print(m.team.id)
"""

FILTERS = """\
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import Member as Person

LIMIT = 3


def truth(session: Session):
    return [m for m in session.scalars(sa.select(Person)).all() if m.is_admin]


def negated_and_flipped(session):
    rows = session.scalars(sa.select(Person)).all()
    return {m.id for m in rows if not m.is_admin if 3 == m.level}


def membership_and_identity(session):
    rows = session.query(Person).all()
    return [m.name for m in rows if (m.level in (1, LIMIT) and m.rank is None)]


def negative_literal_in_dict(session):
    rows = session.scalars(sa.select(Person)).all()
    return {m.id: m for m in rows if m.level > -1 and m.left_at}


async def awaited(session):
    rows = (await session.scalars(sa.select(Person))).all()
    return list(m for m in rows if m.rank is not None)
"""

BUILT_SQL = """\
import sqlite3 as db

from sqlalchemy import text


def through_alias(cur: db.Cursor, name):
    cur.execute(f"SELECT id FROM members WHERE name = '{name}'")


def formatted_keyword(cur, name):
    cur.execute("SELECT id FROM members WHERE name = '{n}'".format(n=name))


def percent_in_variable(cur, level):
    sql = "SELECT id FROM members WHERE level = %d" % level
    cur.execute(sql)


def text_without_a_driver(session, level):
    session.execute(text(f"SELECT id FROM members WHERE level = {level}"))
"""

# Without a driver's import: only `text(...)` and `exec_driver_sql` are read.
BUILT_SQL_NO_DRIVER = """\
import sqlalchemy


def in_text(session, level):
    session.scalars(sqlalchemy.text(f"SELECT id FROM members WHERE level = {level}"))


def driver_sql(connection, level):
    connection.exec_driver_sql(f"SELECT id FROM members WHERE level = {level}")


def imported_inside(level):
    import psycopg2

    cur = psycopg2.connect("").cursor()
    cur.execute(f"SELECT id FROM members WHERE level = {level}")
"""

# Each function is written to a module of its own (with the imports above the first
# function): a gate reads a whole file, so one spelling must not let another through.
FILES = {
    "related_keys": RELATED_KEYS,
    "filters": FILTERS,
    "built_sql": BUILT_SQL,
    "built_sql_no_driver": BUILT_SQL_NO_DRIVER,
}
RULES = {
    "related-key-via-relationship",
    "filter-in-python",
    "sql-built-from-values",
}


def _modules(source: str) -> dict[str, str]:
    """function name -> the module holding it alone (with the source's header)."""
    lines = source.splitlines(keepends=True)
    starts = [
        i for i, line in enumerate(lines) if line.startswith(("def ", "async def "))
    ]
    header = "".join(lines[: starts[0]])
    modules = {}
    for start, end in zip(starts, [*starts[1:], len(lines)]):
        name = lines[start].split("def ", 1)[1].split("(", 1)[0]
        modules[name] = header + "".join(lines[start:end])
    return modules


@pytest.fixture(scope="module")
def both_runs(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("shapes")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\nversion = '0'\n")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(MODELS)
    for group, source in FILES.items():
        (root / "app" / group).mkdir()
        (root / "app" / group / "__init__.py").write_text("")
        for name, text in _modules(source).items():
            (root / "app" / group / f"{name}.py").write_text(text)
    config = Config(cache=False)
    gated = run([root], root, config, use_gate=True)
    ungated = run([root], root, config, use_gate=False)
    return gated, ungated


def _functions(findings, group: str, rule: str) -> list[str]:
    """The functions (one a module) of `group` holding `rule`'s findings."""
    return sorted(
        Path(f.path).stem
        for f in findings
        if f.rule == rule and Path(f.path).parent.name == group
    )


def test_the_gates_lose_no_finding(both_runs):
    gated, ungated = both_runs

    def ours(result):
        return sorted(
            (f.to_json() for f in result.findings if f.rule in RULES), key=repr
        )

    assert ours(gated) == ours(ungated)


def test_every_spelling_is_found(both_runs):
    gated, _ = both_runs
    assert _functions(
        gated.findings, "related_keys", "related-key-via-relationship"
    ) == sorted(
        [
            "loop_over_query",
            "comprehension_over_rows",
            "dict_over_query",
            "annotated_collection",
            "dotted_annotation",
            "awaited_get",
            "fetched_then_lambda",
            "decorated",
            "through_relationship",
            "inner_loop_rebinds",
            "built_under_another_name",
            "built_through_the_module",
        ]
    )
    assert _functions(gated.findings, "filters", "filter-in-python") == sorted(
        [
            "truth",
            "negated_and_flipped",
            "membership_and_identity",
            "negative_literal_in_dict",
            "awaited",
        ]
    )
    assert _functions(gated.findings, "built_sql", "sql-built-from-values") == [
        "formatted_keyword",
        "percent_in_variable",
        "text_without_a_driver",
        "through_alias",
    ]
    assert _functions(
        gated.findings, "built_sql_no_driver", "sql-built-from-values"
    ) == ["driver_sql", "imported_inside", "in_text"]


def _tree(source: str) -> tuple[ast.Module, str]:
    source = textwrap.dedent(source)
    return ast.parse(source), source


def _key_reads(source: str) -> list[str]:
    return RelatedKeyViaRelationship().survey(*_tree(source))


def test_related_key_survey_skips_names_whose_loop_has_no_model():
    # The innermost loop binding the name decides (`model_of_name`): a tuple target,
    # an unannotated parameter iterated, a literal list, a comprehension's second
    # clause; a name bound only by a loop that is not around the read; a loop outside
    # the lambda or class the read stands in.
    source = """
        def tuple_target(session):
            for i, m in enumerate(session.scalars(q)):
                print(m.team.id)

        def parameter_rows(members):
            for m in members:
                print(m.seat.id)
            return [m.item.pk for m in members]

        def literal(a, b):
            return [m.fee.id for m in [a, b]]

        def second_clause(session):
            return [m.quota.pk for t in session.scalars(q) for m in t]

        def not_around(session, m):
            for m in session.scalars(q):
                pass
            return m.voucher.pk

        def cut_off_by_a_lambda(session):
            for m in session.scalars(q):
                f = lambda m: m.event.pk
                class Local:
                    key = m.order.pk
    """
    assert _key_reads(source) == []


def test_related_key_survey_keeps_what_the_loop_or_binding_types():
    source = """
        def loop(session):
            for m in session.scalars(q):
                print(m.team.id)

        def rows_then_comprehension(session):
            rows = session.scalars(q).all()
            return [m.seat.id for m in rows]

        def annotated_rows(members: list[Member]):
            return {m.item.pk for m in members}

        def relationship_collection(team: Team):
            return [m.fee.id for m in team.members if m.quota.pk]

        def rebound_by_a_call(items):
            for m in items:
                m = session.get(Member, 1)
                print(m.voucher.pk)

        def dotted(m: models.Member, o: "Order"):
            return m.event.pk, o.order.pk
    """
    # the items of `team.members`: only a relationship named `members` gives them;
    # `session` is no annotated parameter, so `session.get(...)` types `m` only as
    # a model named `get` would (`_owner_model`'s fallback)
    assert _key_reads(source) == [
        "@members:fee.id",
        "@members:quota.pk",
        "event.pk",
        "get:voucher.pk",
        "item.pk",
        "seat.id",
        "team.id",
    ]


def test_related_key_survey_names_the_callee_that_alone_can_type_a_name():
    # `_owner_model`'s fallback: the one binding is a call, whose callee is the model;
    # `f(...)` is no query (no method call in it), awaited or not
    source = """
        from app.models import Member as Person, Team as Person
        import app.models as Person

        def built():
            m = Person(team_id=1)
            return m.team.id

        def helper_in_loop(items):
            for m in items:
                m = make()
                print(m.seat.id)

        async def awaited_helper():
            m = await make()
            return m.fee.id

        def through_a_call_of_a_call():
            m = factory()()
            return m.item.pk
    """
    assert _key_reads(source) == [
        "Member:team.id",
        "Person:team.id",
        "Team:team.id",
        "make:seat.id",
        "models:team.id",
    ]


def test_related_key_survey_reads_queries_of_one_row_and_typed_callees():
    # a chain a dialect may read as a query of one row, or a callee whose head is no
    # import (a property of an annotated parameter's class may give the model): any
    # model; a call of an imported name's method: a model named as its last part
    source = """
        from prefect.context import FlowRunContext
        import app.models as models

        def context():
            ctx = FlowRunContext.get()
            return ctx.flow_run.id

        def helper():
            run = models.read_run()
            return run.task_run.id

        def first_row(session):
            m = session.scalars(q).first()
            return m.team.id

        def manager():
            m = Team.objects.get(pk=1)
            return m.event.pk

        async def awaited(session):
            m = await session.get(Member, 1)
            return m.fee.id

        def typed_parameter(db: Database):
            m = db.Member()
            return m.item.pk

        async def awaited_list(s):
            m = await FlowRunContext.get().all()
            return m.seat.pk
    """
    assert _key_reads(source) == [
        "event.pk",
        "fee.id",
        "get:flow_run.id",
        "item.pk",
        "read_run:task_run.id",
        "team.id",
    ]


def test_related_key_project_gate_wants_a_model_named_as_the_callee():
    from n1fix.rules.related_key_via_relationship.gate import KeyPairs

    pairs = KeyPairs(frozenset({"team.id"}), {"Member": frozenset({"team.id"})})
    assert pairs.any_read(["Member:team.id"])
    assert not pairs.any_read(["get_run_context:team.id"])


def _gate(rule, source: str) -> bool:
    return rule().gate(*_tree(source))


@pytest.mark.parametrize(
    "test",
    [
        "u.name.startswith('a')",  # a call
        "u.level == other['level']",  # a subscript as the value
        "u.level == u.rank",  # the row's own column as the value
        "u.is_admin or u.level",  # an `or`
        "u.level < 3 < 5",  # two comparisons
        "u.level in ids",  # not a literal display
        "u.level in (*ids,)",  # a starred element
        "3 in u.levels",  # the column on the right of `in`
        "u.rank is 1",  # identity with something but None, True, False
        "u.level == f(x)",  # a call as the value
        "u.level == +1",
        "u['level']",
        "u.is_admin and not u.team.is_active",  # one test of several
    ],
)
def test_filter_in_python_gate_skips_tests_that_are_no_where_condition(test):
    source = f"""
        def f(session, other, ids):
            rows = session.scalars(select(User)).all()
            return [u for u in rows if {test}]
    """
    assert not _gate(FilterInPython, source)


def test_filter_in_python_gate_skips_loops_the_check_does_not_read():
    for comprehension in (
        "[u for i, u in enumerate(rows) if u.active]",  # not a plain name
        "[u for u in rows for v in u.items if u.active]",  # two clauses
        "[u for u in rows]",  # no test
    ):
        source = f"""
            def f(session):
                rows = session.scalars(select(User)).all()
                return {comprehension}
        """
        assert not _gate(FilterInPython, source), comprehension
    source = """
        async def f(session):
            rows = session.scalars(select(User)).all()
            return [u async for u in rows if u.active]
    """
    assert not _gate(FilterInPython, source)


@pytest.mark.parametrize(
    "call",
    [
        "cur.execute(select(User))",  # a call that is no string formatting
        'cur.execute("SELECT " + columns)',  # `+`: recognised, never placed
        'cur.execute(f"SELECT 1")',  # an f-string splicing nothing
        'cur.execute("SELECT {}".format())',  # `.format()` with nothing to splice
        'cur.execute(b"SELECT %d" % n)',  # bytes
        'cur.execute(f"SELECT id FROM t WHERE n = {n}")',  # no driver imported
        'cur.fetch(f"SELECT id FROM t WHERE n = {n}")',
    ],
)
def test_sql_built_from_values_gate_skips_what_is_never_placed(call):
    source = f"""
        from sqlalchemy import select

        def f(cur, n, columns):
            {call}
    """
    assert not _gate(SqlBuiltFromValues, source)


@pytest.mark.parametrize(
    "imports",
    [
        "import sqlite3",
        "import psycopg2.extras as extras",
        "from psycopg import sql",
        "from asyncpg import Connection",
    ],
)
def test_sql_built_from_values_gate_reads_a_driver_import(imports):
    source = f"""
        {imports}

        def f(cur, n):
            cur.execute(f"SELECT id FROM t WHERE n = {{n}}")
    """
    assert _gate(SqlBuiltFromValues, source)
