"""`Rule.project_turns_away`: a file a rule's gate let through is turned away once the
whole project says it holds nothing for that rule (connection-leak: an imported name
that reads like a sessionmaker but is a function in its module). It only saves time:
the findings are those of a run without any gate, and a file turned away because of
another file's facts is checked again, cache and run memo on, when those facts change."""

from __future__ import annotations

import textwrap
from collections import Counter
from pathlib import Path

import pytest

import n1fix.engine.runner as runner
from n1fix.config import Config
from n1fix.rules.connection_leak.rule import ConnectionLeak

PYPROJECT = "[project]\nname = 'x'\nversion = '0'\n"

MAKERS = """
    import sqlalchemy as sa
    from sqlalchemy import create_engine
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
    from sqlalchemy.orm import sessionmaker

    engine = create_engine("sqlite://")
    SessionLocal = sessionmaker(bind=engine)
    factory_session: sessionmaker = sessionmaker(bind=engine)
    other_engine = sa.create_engine("sqlite://")
    a = twin_session = sessionmaker(bind=engine)
    async_session = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))
"""

# Named like factories, none of them one: the check finds no sessionmaker behind them.
NOT_MAKERS = """
    def get_session():
        return object()


    class SessionManager:
        pass


    def engine_for(url):
        return url
"""

# A re-export: the check reads `name = maker(...)` in the module imported from, and
# no further; the gate and the check must agree whatever they conclude.
REEXPORT = """
    from app.db import SessionLocal as reexported_session
"""

# Every way a caller can reach a sessionmaker or engine of `app/db.py` without
# importing SQLAlchemy itself: aliases, relative imports, nested functions, async.
CALLERS = {
    "plain.py": """
        from app.db import SessionLocal


        def archive(project_id):
            session = SessionLocal()
            session.get(project_id)
    """,
    "aliased.py": """
        from app.db import SessionLocal as make_session


        def archive(project_id):
            session = make_session()
            session.get(project_id)
    """,
    "relative.py": """
        from .db import factory_session


        def archive(project_id):
            def inner():
                session = factory_session()
                session.get(project_id)

            inner()
    """,
    "engines.py": """
        from app.db import engine, other_engine


        def count():
            conn = engine.connect()
            conn.execute("select 1")


        def count_other():
            conn = other_engine.connect()
            conn.execute("select 1")
    """,
    "twin.py": """
        from app.db import twin_session


        class Jobs:
            @staticmethod
            def run():
                session = twin_session()
                session.get(1)
    """,
    "asynchronous.py": """
        from app.db import async_session


        async def archive(project_id):
            session = async_session()
            await session.get(project_id)
    """,
    "package_attr.py": """
        from app import db_engine


        def count():
            conn = db_engine.connect()
            conn.execute("select 1")
    """,
    # turned away: nothing behind these names opens anything the check can prove
    "helpers.py": """
        from app.helpers_impl import SessionManager, engine_for, get_session


        def work():
            session = get_session()
            manager = SessionManager()
            engine = engine_for("x")
            conn = engine.connect()
    """,
    "missing.py": """
        from app.nowhere import session_maker


        def work():
            session = session_maker()
    """,
    "via_reexport.py": """
        from app.reexport import reexported_session


        def work():
            session = reexported_session()
            session.get(1)
    """,
}

TURNED_AWAY = {"helpers.py", "missing.py", "via_reexport.py"}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / "app" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    _write(
        root,
        {
            "__init__.py": (
                "from sqlalchemy import create_engine\n\n"
                "db_engine = create_engine('sqlite://')\n"
            ),
            "db.py": MAKERS,
            "helpers_impl.py": NOT_MAKERS,
            "reexport.py": REEXPORT,
            **CALLERS,
        },
    )
    return root


@pytest.fixture
def checked(monkeypatch) -> Counter:
    """The files the precise pass checks, by name, with the rules it checks them for."""
    counts: Counter = Counter()
    work = runner._work

    def counted(task):
        if task[3] is None or "connection-leak" in task[3]:
            counts[task[0].name] += 1
        return work(task)

    monkeypatch.setattr(runner, "_work", counted)
    return counts


def _leaks(result) -> list[str]:
    return sorted(
        f"{f.path.rsplit('/', 1)[-1]}:{f.line}"
        for f in result.findings
        if f.rule == "connection-leak"
    )


def _config(cache: bool = False) -> Config:
    return Config(select=["connection-leak"], cache=cache)


def test_turned_away_files_hold_no_finding(project: Path, checked: Counter) -> None:
    gated = runner.run([project / "app"], project, _config(), jobs=1)
    turned = set(checked)
    ungated = runner.run([project / "app"], project, _config(), jobs=1, use_gate=False)
    assert _leaks(gated) == _leaks(ungated)
    found = {name.partition(":")[0] for name in _leaks(gated)}
    # not vacuous: every tricky caller is found, with the gate
    assert found == set(CALLERS) - TURNED_AWAY
    # and the project turned those away although their own gate let them through
    assert not turned & TURNED_AWAY, turned
    assert set(CALLERS) - TURNED_AWAY <= turned


def test_the_per_file_gate_lets_the_turned_away_files_through(project: Path) -> None:
    """What `project_turns_away` decides is beyond the gate: it passes them all."""
    import ast

    rule = ConnectionLeak()
    for name in TURNED_AWAY:
        text = (project / "app" / name).read_text()
        tree = ast.parse(text)
        assert rule.gate(tree, text), name
        assert rule.survey(tree, text)["through"], name


def test_survey_keeps_the_names_a_module_binds_to_a_maker() -> None:
    import ast

    from n1fix.rules.connection_leak.gate import maker_bound_names

    source = textwrap.dedent(MAKERS) + textwrap.dedent(
        """
        if True:
            nested_session = sessionmaker()  # not top level: the check reads no further
        unpacked_session, b = sessionmaker(), 1
        called = make()(sessionmaker)
        """
    )
    assert maker_bound_names(ast.parse(source)) == sorted(
        {
            "engine",
            "SessionLocal",
            "factory_session",
            "other_engine",
            "a",
            "twin_session",
            "async_session",
        }
    )


def test_maker_calls_are_the_openers_maker_names() -> None:
    from n1fix.rules.connection_leak import openers
    from n1fix.rules.connection_leak.gate import MAKER_CALLS

    assert MAKER_CALLS == set(openers._MAKER_NAMES)


def _scan(project: Path, checked: Counter, memo: bool) -> tuple[set[str], list[str]]:
    checked.clear()
    result = runner.run(
        [project / "app"], project, _config(cache=True), jobs=1, memo=memo
    )
    names = set(checked)
    fresh = runner.run([project / "app"], project, _config(), jobs=1)
    assert _leaks(result) == _leaks(fresh)
    checked.clear()
    return names, _leaks(result)


@pytest.mark.parametrize("memo", [False, True])
def test_a_file_turned_away_is_checked_again_when_the_module_it_imports_changes(
    project: Path, checked: Counter, memo: bool, long_way
) -> None:
    """helpers.py was turned away for its `get_session` being a function in
    helpers_impl.py; that module now binds it to a sessionmaker: helpers.py is checked
    (its cached survey still says its own gate let it through) and its leak found, with
    the results cache and the run memo on. And back again."""
    _, before = _scan(project, checked, memo)
    assert not any(name.startswith("helpers.py") for name in before)
    warm, again = _scan(project, checked, memo)
    assert warm == set() and again == before
    impl = project / "app" / "helpers_impl.py"
    impl.write_text(
        "from sqlalchemy.orm import sessionmaker\n\n"
        "get_session = sessionmaker()\n"
        + textwrap.dedent(NOT_MAKERS).replace("def get_session", "def unused"),
        encoding="utf-8",
    )
    loads = len(long_way)
    changed, after = _scan(project, checked, memo)
    assert len(long_way) > loads  # the memo did not answer: a file changed
    assert "helpers.py" in changed
    assert any(name.startswith("helpers.py") for name in after)
    impl.write_text(textwrap.dedent(NOT_MAKERS), encoding="utf-8")
    _, restored = _scan(project, checked, memo)
    assert restored == before


def test_a_file_turned_away_is_checked_when_its_module_appears(
    project: Path, checked: Counter
) -> None:
    """missing.py imports from a module the project does not have (resolution finds
    nothing: turned away); once it is written, the file is checked."""
    _, before = _scan(project, checked, True)
    assert not any(name.startswith("missing.py") for name in before)
    _write(
        project,
        {
            "nowhere.py": """
                from sqlalchemy.orm import sessionmaker

                session_maker = sessionmaker()
            """
        },
    )
    changed, after = _scan(project, checked, True)
    assert "missing.py" in changed
    assert any(name.startswith("missing.py") for name in after)


# Callers that import from SQLAlchemy or a driver themselves: a call through a name the
# file only imports is decided by that import (`gate.called_by_imported_names`).
DRIVER_CALLERS = {
    "d_session.py": """
        from sqlalchemy.orm import Session, object_session


        def archive(engine, project):
            session = Session(engine)
            session.get(project)
            other = object_session(project)
    """,
    "d_dbapi.py": """
        from sqlite3 import connect
        from sqlalchemy import select


        async def count():
            conn = connect("x.db")
            conn.execute("select 1")
    """,
    # let through (a star import may bind any name); the check reads no `Session` there
    "d_star.py": """
        from sqlalchemy.orm import *


        def archive(engine):
            session = Session(engine)
            session.get(1)
    """,
    "d_project_maker.py": """
        from sqlalchemy import select

        from app.db import SessionLocal as make_session


        class Jobs:
            @staticmethod
            def run():
                def inner():
                    session = make_session()
                    session.get(1)

                return [inner() for _ in range(2)]
    """,
    "d_local_maker.py": """
        from sqlalchemy.orm import sessionmaker


        def archive(engine):
            make_session = sessionmaker(bind=engine)
            session = make_session()
            session.get(1)
    """,
    "d_param.py": """
        from sqlalchemy.orm import sessionmaker


        def archive(maker: sessionmaker):
            session = maker()
            session.get(1)
    """,
    "d_rebound.py": """
        from sqlalchemy.orm import sessionmaker
        from app.helpers_impl import get_session


        def archive(engine):
            get_session = sessionmaker(bind=engine)
            session = get_session()
            session.get(1)
    """,
    # turned away: what these names are called through opens nothing
    "d_object_session.py": """
        from sqlalchemy.orm import object_session


        def owner(row):
            session = object_session(row)
            return session.get(1)
    """,
    "d_project_function.py": """
        import sqlalchemy as sa

        from app.helpers_impl import SessionManager, get_session as fetch_session


        async def work():
            session = fetch_session()
            manager = SessionManager()
    """,
    "d_defined.py": """
        from sqlalchemy import select


        class SessionFetcher:
            pass


        def work():
            fetcher = SessionFetcher()
    """,
}

DRIVER_TURNED_AWAY = {"d_object_session.py", "d_project_function.py", "d_defined.py"}


def test_a_file_importing_a_driver_is_turned_away_by_the_names_it_calls(
    project: Path, checked: Counter
) -> None:
    _write(project, DRIVER_CALLERS)
    gated = runner.run([project / "app"], project, _config(), jobs=1)
    turned = set(checked)
    ungated = runner.run([project / "app"], project, _config(), jobs=1, use_gate=False)
    assert _leaks(gated) == _leaks(ungated)
    found = {name.partition(":")[0] for name in _leaks(gated)}
    assert found >= set(DRIVER_CALLERS) - DRIVER_TURNED_AWAY - {"d_star.py"}
    assert not found & DRIVER_TURNED_AWAY
    assert not turned & DRIVER_TURNED_AWAY, turned
    assert set(DRIVER_CALLERS) - DRIVER_TURNED_AWAY <= turned


def test_the_per_file_gate_passes_names_only_imported_to_the_project_gate() -> None:
    import ast

    from n1fix.cst.astwalk import index_of

    rule = ConnectionLeak()
    expected = {
        "d_object_session.py": ["object_session"],
        "d_project_function.py": ["SessionManager", "fetch_session"],
        "d_defined.py": None,  # a class of the module: no opener at all
        "d_session.py": ["Session", "object_session"],
        "d_star.py": True,
        "d_local_maker.py": True,
        "d_param.py": True,
        "d_rebound.py": True,
    }
    for name, answer in expected.items():
        text = textwrap.dedent(DRIVER_CALLERS[name])
        tree = ast.parse(text)
        index_of(tree)
        assert rule.gate(tree, text) == (answer is not None), name
        through = (rule.survey(tree, text) or {}).get("through")
        assert through == (answer if isinstance(answer, list) else None), name
