"""Run the golden corpus for real: discover cases, run before/after, count round trips.

A golden case is a directory `golden/<rule>/<case>/` holding `before.py`, `case.toml`,
`scenario.py` and, unless the code must come out unchanged, a hand-written `after.py`.
A case may hold `rejected.py`, a rewrite n1fix must not make, with `[run] rejected =
"changes_result"` or `"no_fewer_round_trips"`: it runs beside the before (and the after)
and must show that (a wrong rewrite, or one that saves nothing over what n1fix leaves).
The scenario's `run(module, session)` (or `async def run`) calls the case's code with
realistic arguments; this module gives it a fresh seeded database each time, counts
the statements sent to the database while `run` executes, and reduces the result to plain
data so that the before and after results can be compared.

Two backends: SQLite in-process (always), and PostgreSQL on a throwaway local cluster
(`PostgresServer`) where the machine has the server binaries. The cluster listens on a
unix socket only (no TCP at all) and each run gets a schema of its own in it.

Round trips are counted with SQLAlchemy's `before_cursor_execute` event, which fires once
per statement sent to the driver; an executemany is one call, so it counts once. Rows
loaded are counted too, as the ORM instances built from result rows (the mapper's `load`
event): a case whose `[run]` says `measure = "rows"` (filter-in-python: one query either
way) must load fewer rows after, in no more round trips.

What a run gives back for comparison is the scenario's (normalised) return value and the
whole database state after it (`database_state`: every table, rows ordered by primary
key), so a rewritten write must leave the same rows as the original.

A scenario may also define `run_empty(module, session)`: the same code called with nothing
to batch (a user without projects, no renders). Both versions run it too; the after must
give the same result in no more round trips (a batch for no keys must not cost a query).

Cases across files (a fix that edits the caller and the DAL it calls) hold a `before/` tree
instead of `before.py`, and `after/` with the files the fix changes instead of `after.py`
(no `after/`: the tree must come out unchanged). Their `case.toml` names the file a user
would give n1fix, relative to the tree, as a top-level `entry = "service.py"`, and each
finding's file as `path = "service.py"`. Modules in a tree import each other relatively
(`from .dal import RendersDAL`). The scenario's `run(module, session)` gets the entry
module, imported from a package of its own; the other modules are reached through it
(`importlib.import_module(".dal", module.__package__)`), for example to bind a DAL's
module-level sessionmaker to the run's engine (`session.bind`). See `golden_trees.py`.

A case whose code uses Django's ORM says `orm = "django"` in its `case.toml`: its
scenario's `run(module)` gets no session, and the case runs against the golden tree's
Django apps (`golden/djbooks`, `golden/djrender`; see `golden_django.py`), with the same
checks. A `pending = "..."` names the rewrite n1fix does not make yet (and who builds it):
the rewrite test is then a strict xfail, while the runs must pass already.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import contextlib
import dataclasses
import datetime
import decimal
import enum
import importlib
import importlib.util
import inspect as pyinspect
import itertools
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import tomllib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from sqlalchemy import MetaData, create_engine, event, func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_ROOT = ROOT / "golden"
DEFAULT_SEED = "renderapp"
EMPTY_RUN = "run_empty"  # a scenario's call of the code with nothing to batch
APPLICABILITIES = ("safe", "unsafe", "none")
REJECTIONS = ("changes_result", "no_fewer_round_trips")
ORMS = ("sqlalchemy", "django")
REQUIRED_FILES = ("before.py", "case.toml", "scenario.py")
MEASURES = ("round_trips", "rows", "results")


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class ExpectedFinding:
    rule: str
    line: int
    applicability: str
    path: str | None = None  # a tree case's file, relative to the tree

    def as_tuple(self) -> tuple[str, int, str]:
        return (self.rule, self.line, self.applicability)


@dataclass
class GoldenCase:
    rule_dir: str  # folder name, e.g. "query_in_loop"
    name: str
    path: Path
    description: str = ""
    unsafe_fixes: bool = False
    findings: list[ExpectedFinding] = field(default_factory=list)
    runs: bool = False
    reason: str | None = None
    # The rewrite runs the same statements, some at once (asyncio.gather): as many round
    # trips, and tests check that statements overlap instead of counting fewer.
    concurrent: bool = False
    # A bounded gather: never more than this many statements in flight at once (a
    # semaphore sized to the connection pool); test_gather_concurrency checks it.
    max_in_flight: int | None = None
    # The code sends HTTP requests to the golden tree's stand-in API (golden/httpstub),
    # not statements to the database: test_gather_concurrency checks that the after's
    # requests overlap where the before's never did.
    concurrent_requests: bool = False
    # What the after must lower: "round_trips" (default) or "rows" (rows loaded, in no
    # more round trips: a filter moved into the WHERE); or "results": nothing to lower,
    # the same results in no more round trips (values passed as parameters instead of
    # spliced into the SQL).
    measure: str = "round_trips"
    # The before fails today with this exception (an async lazy load: `MissingGreenlet`);
    # its results are those of the same code run under a sync Session (golden_sync_twin).
    before_raises: str | None = None
    entry: str | None = (
        None  # a tree case's file the fix is run on, relative to the tree
    )
    # What n1fix's output still gets wrong against the hand-written after (the rewrite
    # test is then expected to fail, strictly: once n1fix writes the after, drop the key).
    known_gap: str | None = None
    # A `rejected.py`, a rewrite n1fix must not make, and why it is rejected:
    # "changes_result" (it returns or writes something else) or "no_fewer_round_trips"
    # (the same result in as many round trips as the code n1fix leaves, or more).
    rejected: str | None = None
    # The ORM the case's code uses: "sqlalchemy", or "django" (run by golden_django.py).
    orm: str = "sqlalchemy"
    # The rewrite n1fix does not build yet (which helper or issue builds it): the rewrite
    # test is a strict xfail until it does; the runs must pass already (they prove the
    # hand-written after.py).
    pending: str | None = None

    @property
    def is_tree(self) -> bool:
        """A case across files: `before/` and `after/` trees (see `golden_trees`)."""
        return (self.path / "before").is_dir()

    @property
    def rule(self) -> str:
        """The user-facing rule name (kebab-case)."""
        return self.rule_dir.replace("_", "-")

    @property
    def id(self) -> str:
        return f"{self.rule_dir}/{self.name}"

    @property
    def before_path(self) -> Path:
        return self.path / "before.py"

    @property
    def after_path(self) -> Path | None:
        p = self.path / ("after" if self.is_tree else "after.py")
        return p if p.exists() else None

    @property
    def rejected_path(self) -> Path | None:
        p = self.path / "rejected.py"
        return p if p.exists() else None

    @property
    def scenario_path(self) -> Path:
        return self.path / "scenario.py"

    @property
    def runs_empty(self) -> bool:
        """The scenario also calls the code with nothing to batch (`run_empty`)."""
        if not self.scenario_path.exists():
            return False
        tree = ast.parse(self.scenario_path.read_text(encoding="utf-8"))
        return any(
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name == EMPTY_RUN
            for node in tree.body
        )

    @property
    def is_trap(self) -> bool:
        """No after.py: the code must come out unchanged."""
        return self.after_path is None

    def expected_text(self) -> str:
        return (self.after_path or self.before_path).read_text(encoding="utf-8")


class CaseError(Exception):
    """A case directory that does not follow the golden layout."""


def is_rule_dir(path: Path) -> bool:
    # App packages (renderapp, legacyapp) are importable packages; rule folders are not.
    return (
        path.is_dir()
        and not path.name.startswith((".", "_"))
        and not (path / "__init__.py").exists()
    )


def case_dirs(root: Path = GOLDEN_ROOT) -> list[Path]:
    """Every `golden/<rule>/<case>/` directory, valid or not, sorted."""
    dirs = []
    for rule_dir in sorted(p for p in root.iterdir() if is_rule_dir(p)):
        for case_dir in sorted(rule_dir.iterdir()):
            if case_dir.is_dir() and not case_dir.name.startswith((".", "_")):
                dirs.append(case_dir)
    return dirs


def load_case(case_dir: Path) -> GoldenCase:
    """Parse and validate `case.toml`; raise CaseError naming the problem."""
    case_dir = Path(case_dir)
    tree = (case_dir / "before").is_dir()
    if tree and (case_dir / "before.py").exists():
        raise CaseError(f"{case_dir}: has both before.py and before/")
    required = ("before/", "case.toml") if tree else ("before.py", "case.toml")
    missing = [name for name in required if not (case_dir / name).exists()]
    if missing:
        raise CaseError(f"{case_dir}: missing {', '.join(missing)}")
    try:
        data = tomllib.loads((case_dir / "case.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{case_dir / 'case.toml'}: invalid TOML: {exc}") from exc

    def fail(msg: str) -> CaseError:
        return CaseError(f"{case_dir / 'case.toml'}: {msg}")

    known = {
        "description",
        "unsafe_fixes",
        "findings",
        "run",
        "entry",
        "known_gap",
        "orm",
        "pending",
    }
    if unknown := set(data) - known:
        raise fail(f"unknown keys {sorted(unknown)}")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise fail("`description` must be a non-empty string")
    unsafe_fixes = data.get("unsafe_fixes", False)
    if not isinstance(unsafe_fixes, bool):
        raise fail("`unsafe_fixes` must be a boolean")
    if "findings" not in data:
        raise fail(
            "`findings` is required (`findings = []` when the rule must not fire)"
        )
    raw_findings = data["findings"]
    if not isinstance(raw_findings, list):
        raise fail("`findings` must be an array of tables")
    entry = data.get("entry")
    if tree and not (isinstance(entry, str) and entry.endswith(".py")):
        raise fail(
            'a case with a before/ tree needs `entry = "<file>.py"` (relative to the tree)'
        )
    if not tree and entry is not None:
        raise fail("`entry` is for cases with a before/ tree")
    orm = data.get("orm", "sqlalchemy")
    if orm not in ORMS:
        raise fail(f"`orm` is one of {ORMS}")
    if "pending" in data and not (
        isinstance(data["pending"], str) and data["pending"].strip()
    ):
        raise fail("`pending` must say which rewrite is not built yet, and by whom")
    if "known_gap" in data and not (
        isinstance(data["known_gap"], str) and data["known_gap"].strip()
    ):
        raise fail("`known_gap` must say what n1fix's output gets wrong")
    keys = (
        {"rule", "line", "applicability", "path"}
        if tree
        else {"rule", "line", "applicability"}
    )
    findings = []
    for i, raw in enumerate(raw_findings):
        if not isinstance(raw, dict) or set(raw) != keys:
            raise fail(f"findings[{i}] needs exactly {', '.join(sorted(keys))}")
        if tree and not isinstance(raw["path"], str):
            raise fail(f"findings[{i}]: path must be a string")
        if not isinstance(raw["rule"], str) or not isinstance(raw["line"], int):
            raise fail(f"findings[{i}]: rule must be a string and line an integer")
        if raw["applicability"] not in APPLICABILITIES:
            raise fail(f"findings[{i}]: applicability must be one of {APPLICABILITIES}")
        findings.append(
            ExpectedFinding(
                raw["rule"], raw["line"], raw["applicability"], raw.get("path")
            )
        )
    run = data.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("runs"), bool):
        raise fail("`[run]` with `runs = true|false` is required")
    if unknown := set(run) - {
        "runs",
        "reason",
        "concurrent",
        "max_in_flight",
        "concurrent_requests",
        "before_raises",
        "measure",
        "rejected",
    }:
        raise fail(f"[run]: unknown keys {sorted(unknown)}")
    reason = run.get("reason")
    if not run["runs"] and not (isinstance(reason, str) and reason.strip()):
        raise fail('`runs = false` needs `reason = "..."`')
    if run.get("measure", "round_trips") not in MEASURES:
        raise fail('`measure` is "round_trips", "rows" or "results"')
    raises = run.get("before_raises")
    if raises is not None and not (isinstance(raises, str) and raises.isidentifier()):
        raise fail(
            "`before_raises` names the exception class before.py raises (`MissingGreenlet`)"
        )
    if orm == "django" and (tree or raises is not None or run.get("concurrent")):
        raise fail(
            "a Django case is one before.py, not a tree, and neither raises nor gathers"
        )
    rejected = run.get("rejected")
    if rejected is not None and rejected not in REJECTIONS:
        raise fail(f"`rejected` is one of {REJECTIONS}")
    if (rejected is not None) != (case_dir / "rejected.py").exists():
        raise fail('`[run] rejected = "..."` and a rejected.py go together')
    if rejected is not None and not run["runs"]:
        raise fail("a rejected.py proves nothing unless the case runs")
    bound = run.get("max_in_flight")
    if bound is not None and not (
        isinstance(bound, int) and bound >= 2 and run.get("concurrent")
    ):
        raise fail(
            "`max_in_flight` is an integer of at least 2, for a `concurrent` case"
        )
    return GoldenCase(
        rule_dir=case_dir.parent.name,
        name=case_dir.name,
        path=case_dir,
        description=description,
        unsafe_fixes=unsafe_fixes,
        findings=findings,
        runs=run["runs"],
        reason=reason,
        concurrent=bool(run.get("concurrent", False)),
        max_in_flight=bound,
        concurrent_requests=bool(run.get("concurrent_requests", False)),
        before_raises=run.get("before_raises"),
        measure=run.get("measure", "round_trips"),
        entry=entry,
        known_gap=data.get("known_gap"),
        rejected=rejected,
        orm=orm,
        pending=data.get("pending"),
    )


def case_orm(case_dir: Path) -> str:
    """The ORM a case directory's code uses, from its case.toml (SQLAlchemy without one)."""
    toml = Path(case_dir) / "case.toml"
    if not toml.exists():
        return "sqlalchemy"
    return tomllib.loads(toml.read_text(encoding="utf-8")).get("orm", "sqlalchemy")


def discover_cases(root: Path = GOLDEN_ROOT) -> list[GoldenCase]:
    """All well-formed cases. Malformed ones are reported by `validate_case`, not here."""
    cases = []
    for case_dir in case_dirs(root):
        try:
            cases.append(load_case(case_dir))
        except CaseError:
            continue
    return cases


def validate_case(case_dir: Path) -> list[str]:
    """Problems with one case directory (empty when it is well formed)."""
    case_dir = Path(case_dir)
    required = (
        ("before/", "case.toml", "scenario.py")
        if (case_dir / "before").is_dir()
        else REQUIRED_FILES
    )
    problems = [
        f"{case_dir}: missing {name}"
        for name in required
        if not (case_dir / name).exists()
    ]
    try:
        case = load_case(case_dir)
    except CaseError as exc:
        return problems + [str(exc)]
    if case.is_tree:
        from golden_trees import tree_problems

        problems.extend(tree_problems(case))
    else:
        before_lines = case.before_path.read_text(encoding="utf-8").splitlines()
        for source in filter(
            None,
            (case.before_path, case.after_path, case.rejected_path, case.scenario_path),
        ):
            if source.exists():
                try:
                    compile(source.read_text(encoding="utf-8"), str(source), "exec")
                except SyntaxError as exc:
                    problems.append(f"{source}: does not compile: {exc}")
        for f in case.findings:
            if not 1 <= f.line <= len(before_lines):
                problems.append(
                    f"{case_dir}: finding line {f.line} is outside before.py"
                )
        if (
            case.after_path is not None
            and case.after_path.read_text() == case.before_path.read_text()
        ):
            problems.append(
                f"{case_dir}: after.py is identical to before.py; delete it instead"
            )
    # Findings of other rules are listed too (the whole file is checked), but every
    # corpus case is about its own rule: a trap may expect none of its rule's findings.
    for f in case.findings:
        if not f.rule or f.rule != f.rule.lower() or "_" in f.rule:
            problems.append(
                f"{case_dir}: finding rule {f.rule!r} is not a rule name (kebab-case)"
            )
    applied = [
        f
        for f in case.findings
        if f.applicability == "safe"
        or (f.applicability == "unsafe" and case.unsafe_fixes)
    ]
    after = "after/" if case.is_tree else "after.py"
    if case.after_path is not None and not applied:
        problems.append(
            f"{case_dir}: has {after} but no finding whose fix would be applied"
        )
    if case.after_path is None and applied:
        problems.append(
            f"{case_dir}: a fix would be applied ({applied}) but there is no {after}"
        )
    return problems


# --------------------------------------------------------------------------- modules

_module_counter = itertools.count()


def ensure_golden_on_path(root: Path = GOLDEN_ROOT) -> None:
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))


def load_module(path: Path, label: str) -> ModuleType:
    """Import a file as a fresh module under a unique name.

    The module is registered in sys.modules while it executes (dataclasses and typing
    look their module up there) and removed afterwards, so each call starts fresh.
    """
    ensure_golden_on_path()
    name = f"_golden_{label}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def forget_module(module: ModuleType) -> None:
    sys.modules.pop(module.__name__, None)


# --------------------------------------------------------------------------- database


class RoundTripCounter:
    """Counts statements sent to the database (an executemany counts once), and the ORM
    instances loaded from their rows (`rows`)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.rows = 0
        self.active = False

    def __call__(
        self, conn, cursor, statement, parameters, context, executemany
    ) -> None:
        if self.active:
            self.statements.append(statement)

    def loaded(self, target, context) -> None:
        """The mapper's `load` event: one instance built from a row."""
        if self.active:
            self.rows += 1

    @contextlib.contextmanager
    def counting_rows(self, base: Any) -> Iterator[None]:
        event.listen(base, "load", self.loaded, propagate=True)
        try:
            yield
        finally:
            event.remove(base, "load", self.loaded)

    @property
    def count(self) -> int:
        return len(self.statements)


COUNTER_KEY = "n1fix_round_trips"  # the run's RoundTripCounter, in `session.info`


class CountedCursor:
    """A DB-API cursor whose `execute` and `executemany` calls count as round trips of the
    run (SQLAlchemy's event sees only what SQLAlchemy sends); anything else is the
    cursor's own."""

    def __init__(self, cursor: Any, counter: RoundTripCounter) -> None:
        self._cursor, self._counter = cursor, counter

    def execute(self, statement, *args, **kwargs):
        self._counted(statement)
        return self._cursor.execute(statement, *args, **kwargs)

    def executemany(self, statement, *args, **kwargs):
        self._counted(statement)
        return self._cursor.executemany(statement, *args, **kwargs)

    def _counted(self, statement) -> None:
        if self._counter.active:
            self._counter.statements.append(str(statement))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)


def dbapi_cursor(session: Session) -> CountedCursor:
    """A cursor of the driver itself (sqlite3 on SQLite, psycopg on PostgreSQL) on the
    run's own connection and transaction, for code written against DB-API: what it
    writes is in the database state the run compares."""
    raw = session.connection().connection.dbapi_connection
    return CountedCursor(raw.cursor(), session.info[COUNTER_KEY])


class CountedAsyncpg:
    """The run's asyncpg connection, its statement calls counted as round trips."""

    _CALLS = ("execute", "executemany", "fetch", "fetchrow", "fetchval")

    def __init__(self, connection: Any, counter: RoundTripCounter) -> None:
        self._connection, self._counter = connection, counter

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._connection, name)
        if name not in self._CALLS:
            return found

        async def counted(statement, *args, **kwargs):
            if self._counter.active:
                self._counter.statements.append(str(statement))
            return await found(statement, *args, **kwargs)

        return counted


async def asyncpg_connection(session) -> CountedAsyncpg:
    """The asyncpg connection under an AsyncSession on PostgreSQL, in its transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return CountedAsyncpg(raw.driver_connection, session.info[COUNTER_KEY])


def seed_modules(seed_name: str) -> tuple[Any, Any]:
    ensure_golden_on_path()
    models = importlib.import_module(f"{seed_name}.models")
    seed = importlib.import_module(f"{seed_name}.seed")
    return models, seed


@dataclass(frozen=True)
class DatabaseTarget:
    """Where one scenario run keeps its data: URLs and connect arguments for both APIs.

    `after_seed(connection, metadata)` runs in the seeding transaction, after the seed.
    """

    sync_url: str
    async_url: str
    connect_args: Mapping[str, Any] = field(default_factory=dict)
    async_connect_args: Mapping[str, Any] = field(default_factory=dict)
    after_seed: Callable[[Connection, MetaData], None] | None = None
    # The database already holds the seed's tables and rows (a copy of a seeded template):
    # the run does not seed it again.
    seeded: bool = False


class SQLiteBackend:
    """A fresh SQLite file per run, in a temporary directory.

    `seeded(seed_name)` gives a copy of a template file seeded once per process: creating
    the tables and seeding them costs about 0.6 s a run (every DDL statement syncs the
    file), a copy next to nothing, and the copy holds the same bytes.
    """

    name = "sqlite"
    _templates: dict[
        str, Path
    ] = {}  # seed name -> its seeded template file (this process)

    @contextlib.contextmanager
    def database(self) -> Iterator[DatabaseTarget]:
        with tempfile.TemporaryDirectory(prefix="n1fix-golden-") as tmp:
            db_path = Path(tmp) / "golden.sqlite3"
            yield DatabaseTarget(
                f"sqlite:///{db_path}", f"sqlite+aiosqlite:///{db_path}"
            )

    @contextlib.contextmanager
    def seeded(self, seed_name: str) -> Iterator[DatabaseTarget]:
        """A fresh SQLite file holding the seed's tables and rows."""
        template = self._template(seed_name)
        with tempfile.TemporaryDirectory(prefix="n1fix-golden-") as tmp:
            db_path = Path(tmp) / "golden.sqlite3"
            shutil.copyfile(template, db_path)
            yield DatabaseTarget(
                f"sqlite:///{db_path}", f"sqlite+aiosqlite:///{db_path}", seeded=True
            )

    @classmethod
    def _template(cls, seed_name: str) -> Path:
        if seed_name not in cls._templates:
            directory = Path(tempfile.mkdtemp(prefix="n1fix-golden-template-"))
            atexit.register(shutil.rmtree, directory, ignore_errors=True)
            path = directory / f"{seed_name}.sqlite3"
            seed_database(f"sqlite:///{path}", {}, seed_name)
            cls._templates[seed_name] = path
        return cls._templates[seed_name]


def seed_database(
    url: str, connect_args: Mapping[str, Any], seed_name: str, after_seed=None
) -> None:
    """Create the seed's tables in the database at `url` and seed them, as a run would."""
    models, seed = seed_modules(seed_name)
    engine = create_engine(url, connect_args=dict(connect_args))
    try:
        models.Base.metadata.create_all(engine)
        with Session(engine) as session:
            seed.seed(session)
            if after_seed is not None:
                after_seed(session.connection(), models.Base.metadata)
            session.commit()
    finally:
        engine.dispose()


@dataclass(frozen=True)
class RunOutcome:
    """What one scenario run leaves: the value `run` returned and every table's rows."""

    returned: Any
    database: dict[str, list[tuple]]


def database_state(session: Session, metadata: MetaData) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by primary key, as plain data (read after a flush, in
    the run's own transaction: what the code wrote counts even if it did not commit)."""
    session.flush()
    state = {}
    for table in metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows = session.execute(select(table).order_by(*order)).all()
        state[table.name] = [tuple(normalize(value) for value in row) for row in rows]
    return state


def _seed_session(
    session: Session, seed: Any, models: Any, target: DatabaseTarget
) -> None:
    seed.seed(session)
    if target.after_seed is not None:
        target.after_seed(session.connection(), models.Base.metadata)


def _sync_run(
    scenario: ModuleType,
    module: ModuleType,
    seed_name: str,
    target: DatabaseTarget,
    entry: str = "run",
):
    models, seed = seed_modules(seed_name)
    engine = create_engine(target.sync_url, connect_args=dict(target.connect_args))
    counter = RoundTripCounter()
    try:
        models.Base.metadata.create_all(
            engine
        )  # on a seeded copy: only checks that they are there
        if not target.seeded:
            with Session(engine) as session:
                _seed_session(session, seed, models, target)
                session.commit()
        event.listen(engine, "before_cursor_execute", counter)
        with Session(engine) as session, counter.counting_rows(models.Base):
            session.info[COUNTER_KEY] = counter
            counter.active = True
            try:
                result = getattr(scenario, entry)(module, session)
            finally:
                counter.active = False
            normalized = RunOutcome(
                normalize_result(scenario, result),
                database_state(session, models.Base.metadata),
            )
        return normalized, counter
    finally:
        engine.dispose()


async def _async_run(
    scenario: ModuleType,
    module: ModuleType,
    seed_name: str,
    target: DatabaseTarget,
    entry: str = "run",
):
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    models, seed = seed_modules(seed_name)
    engine = create_async_engine(
        target.async_url, connect_args=dict(target.async_connect_args)
    )
    counter = RoundTripCounter()
    try:
        async with engine.begin() as conn:
            await conn.run_sync(models.Base.metadata.create_all)
        if not target.seeded:
            async with AsyncSession(engine) as session:
                await session.run_sync(_seed_session, seed, models, target)
                await session.commit()
        event.listen(engine.sync_engine, "before_cursor_execute", counter)
        with counter.counting_rows(models.Base):
            async with AsyncSession(engine) as session:
                session.info[COUNTER_KEY] = counter
                counter.active = True
                try:
                    result = await getattr(scenario, entry)(module, session)
                finally:
                    counter.active = False
                returned = normalize_result(scenario, result)
                state = await session.run_sync(database_state, models.Base.metadata)
                normalized = RunOutcome(returned, state)
        return normalized, counter
    finally:
        await engine.dispose()


def run_scenario_detailed(
    case_dir: Path | GoldenCase,
    which: Literal["before", "after", "gathered", "rejected"],
    backend: Any = None,
    entry: str = "run",
) -> tuple[Any, RoundTripCounter]:
    """Like `run_scenario`, but returns the counter with the statements themselves.

    `entry` names the scenario's function to call: `run`, or `run_empty`. A trap may hold
    `gathered.py`, the wrong rewrite it guards against, to show that it is wrong; a case
    may hold `rejected.py`, a rewrite n1fix must not make (see `GoldenCase.rejected`)."""
    path = case_dir.path if isinstance(case_dir, GoldenCase) else Path(case_dir)
    if which not in ("before", "after", "gathered", "rejected"):
        raise ValueError(
            f"which must be 'before', 'after', 'gathered' or 'rejected', not {which!r}"
        )
    orm = case_dir.orm if isinstance(case_dir, GoldenCase) else case_orm(path)
    if orm == "django":
        from golden_django import run_django_scenario

        backend = backend if backend is not None else SQLiteBackend()
        return run_django_scenario(path, which, backend, entry)
    tree = (path / "before").is_dir()
    source = path / (which if tree else f"{which}.py")
    if not source.exists():
        raise FileNotFoundError(source)
    backend = backend if backend is not None else SQLiteBackend()
    label = f"{path.parent.name}_{path.name}"
    scenario = load_module(path / "scenario.py", f"{label}_scenario")
    try:
        backends = getattr(scenario, "BACKENDS", None)
        if backends is not None and backend.name not in backends:
            import pytest

            pytest.skip(f"the scenario runs on {', '.join(backends)} only (its driver)")
        with _case_module(path, source, which, label) as module:
            seed_name = getattr(scenario, "SEED", DEFAULT_SEED)
            with backend.seeded(seed_name) as target:
                if pyinspect.iscoroutinefunction(getattr(scenario, entry)):
                    return asyncio.run(
                        _async_run(scenario, module, seed_name, target, entry)
                    )
                return _sync_run(scenario, module, seed_name, target, entry)
    finally:
        forget_module(scenario)


@contextlib.contextmanager
def _case_module(
    path: Path, source: Path, which: str, label: str
) -> Iterator[ModuleType]:
    """The module a scenario runs: `before.py`/`after.py`, or a tree's entry module."""
    if source.is_dir():
        from golden_trees import imported_tree

        with imported_tree(path, which, load_case(path).entry, label) as module:
            yield module
        return
    module = load_module(source, f"{label}_{which}")
    try:
        yield module
    finally:
        forget_module(module)


def run_scenario(
    case_dir: Path | GoldenCase, which: Literal["before", "after"], backend: Any = None
) -> tuple[Any, int]:
    """Run `which`.py of a case on a fresh seeded database (SQLite unless `backend` says).

    Returns the run's outcome (its normalised return value and the database state after
    it) and the number of round trips made during `run`.
    """
    normalized, counter = run_scenario_detailed(case_dir, which, backend)
    return normalized, counter.count


# --------------------------------------------------------------------------- PostgreSQL

PG_BINARIES = ("initdb", "pg_ctl", "postgres")
PG_SERVER_USER = "postgres"  # initdb and postgres refuse to run as root


def find_postgres_binaries() -> dict[str, Path] | None:
    """initdb, pg_ctl and postgres from one place: PATH first, then the usual install dirs.

    Debian's packages keep them in /usr/lib/postgresql/<major>/bin, off PATH; the newest
    major wins there. None when no place has all three.
    """
    on_path = {name: shutil.which(name) for name in PG_BINARIES}
    if all(on_path.values()):
        return {name: Path(p) for name, p in on_path.items()}

    def major(bindir: Path) -> tuple[int, ...]:
        digits = "".join(
            ch if ch.isdigit() else " " for ch in bindir.parent.name
        ).split()
        return tuple(int(d) for d in digits)

    candidates = [
        *Path("/usr/lib/postgresql").glob("*/bin"),
        *Path("/usr").glob("pgsql-*/bin"),
    ]
    for bindir in sorted(candidates, key=major, reverse=True):
        found = {name: bindir / name for name in PG_BINARIES}
        if all(os.access(p, os.X_OK) for p in found.values()):
            return found
    return None


def reset_postgresql_sequences(conn: Connection, metadata: MetaData) -> None:
    """Point each serial primary key's sequence past the seeded ids.

    The seeds give explicit ids, which PostgreSQL's sequences do not see; without this the
    first row a scenario adds without an id would collide with id 1. (SQLite needs nothing:
    it takes max(rowid) + 1.)
    """
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        conn.execute(
            select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False))
        )


class PostgresServer:
    """A throwaway PostgreSQL cluster for one test run.

    initdb into a temporary directory, start it listening on a unix socket in that
    directory only (`listen_addresses=''`: no TCP at all), without fsync. When we are root,
    initdb and pg_ctl run as the `postgres` user through runuser. One process starts it
    (`start`); the test processes sharing it `attach` to it (see conftest.py).

    A scenario run gets a database of its own, copied from a template database seeded
    once per process (`seeded()`): the copy costs about 0.1 s, creating the tables and
    seeding them about 0.5 s. `database()` gives an empty schema of its own instead, in
    one shared database. Every name a process makes carries its process id, so processes
    sharing the cluster never meet.
    """

    name = "postgresql"
    dbname = "golden"

    def __init__(self, binaries: Mapping[str, Path]) -> None:
        self.binaries = dict(binaries)
        self.dir: Path | None = None
        self.port: int | None = None
        self._admin: Engine | None = None
        self._names = itertools.count(1)
        self._templates: dict[str, str] = {}  # seed name -> its template database

    @classmethod
    def attach(
        cls, binaries: Mapping[str, Path], directory: Path, port: int
    ) -> PostgresServer:
        """The cluster another process started in `directory`, listening on `port`."""
        server = cls(binaries)
        server.dir, server.port = Path(directory), port
        server._admin = create_engine(
            server.url(cls.dbname), isolation_level="AUTOCOMMIT"
        )
        return server

    def detach(self) -> None:
        """Let go of the cluster without stopping it (its starter stops it)."""
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        self.dir = None

    def _new_name(self, kind: str) -> str:
        return f"{kind}_{os.getpid()}_{next(self._names)}"

    # -- process management

    def _command(self, *argv: str | Path) -> list[str]:
        argv_s = [str(a) for a in argv]
        if os.geteuid() == 0:
            return ["runuser", "-u", PG_SERVER_USER, "--", *argv_s]
        return argv_s

    def _run(self, *argv: str | Path) -> None:
        assert self.dir is not None
        proc = subprocess.run(
            self._command(*argv),
            cwd=self.dir,  # the server user may not be able to read our working directory
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(
                f"{' '.join(map(str, argv))} exited with {proc.returncode}:\n"
                f"{proc.stdout}{proc.stderr}{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        log = self.dir / "log" if self.dir else None
        if log is None or not log.exists():
            return ""
        return "\nserver log:\n" + "\n".join(
            log.read_text(errors="replace").splitlines()[-20:]
        )

    @staticmethod
    def _free_port() -> int:
        # The port only names the socket file (.s.PGSQL.<port>), in a directory of our own:
        # the server opens no TCP port. Ask the kernel for a free loopback port anyway (no
        # packet is sent), so the number clashes with nothing a reader might look for.
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.bind(("127.0.0.1", 0))
                return sock.getsockname()[1]
        except OSError:
            return 40000 + os.getpid() % 20000

    def start(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="n1fix-pg-"))
        try:
            if os.geteuid() == 0:
                import pwd

                user = pwd.getpwnam(PG_SERVER_USER)
                os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.port = self._free_port()
            # C locale: text sorts by bytes, as in SQLite, whatever the machine's LANG is
            self._run(
                self.binaries["initdb"],
                "-D",
                self.dir,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "--encoding=UTF8",
                "--locale=C",
            )
            # pg_ctl hands -o to a shell; listen_addresses='' means no TCP socket at all
            options = (
                f"-k {shlex.quote(str(self.dir))} -c listen_addresses='' -p {self.port}"
                " -c fsync=off -c full_page_writes=off"
            )
            self._run(
                self.binaries["pg_ctl"],
                "-D",
                self.dir,
                "-l",
                self.dir / "log",
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            )
            bootstrap = create_engine(
                self.url("postgres"), isolation_level="AUTOCOMMIT"
            )
            try:
                with bootstrap.connect() as conn:
                    conn.execute(text(f"CREATE DATABASE {self.dbname}"))
            finally:
                bootstrap.dispose()
            # schemas live in a database: the runs' schemas are made and dropped in this one
            self._admin = create_engine(
                self.url(self.dbname), isolation_level="AUTOCOMMIT"
            )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None
        if self.dir is None:
            return
        try:
            if (self.dir / "postmaster.pid").exists():
                self._run(
                    self.binaries["pg_ctl"],
                    "-D",
                    self.dir,
                    "-m",
                    "immediate",
                    "-w",
                    "stop",
                )
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    # -- connections

    def url(self, dbname: str, driver: str = "psycopg") -> str:
        assert self.dir is not None and self.port is not None
        return (
            f"postgresql+{driver}://postgres@/{dbname}?host={self.dir}&port={self.port}"
        )

    def admin(self) -> Engine:
        if self._admin is None:
            raise RuntimeError("the PostgreSQL server is not running")
        return self._admin

    @contextlib.contextmanager
    def database(self) -> Iterator[DatabaseTarget]:
        """A fresh, empty schema that is the whole search_path of every connection."""
        schema = self._new_name("run")
        with self.admin().connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            yield DatabaseTarget(
                sync_url=self.url(self.dbname, "psycopg"),
                async_url=self.url(self.dbname, "asyncpg"),
                connect_args={"options": f"-c search_path={schema}"},
                async_connect_args={"server_settings": {"search_path": schema}},
                after_seed=reset_postgresql_sequences,
            )
        finally:
            # The run disposed of its engine; should a connection still hold a lock, leave
            # the schema to the cluster's removal rather than hang here.
            with contextlib.suppress(Exception), self.admin().connect() as conn:
                conn.execute(text("SET lock_timeout = '2s'"))
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))

    @contextlib.contextmanager
    def seeded(self, seed_name: str) -> Iterator[DatabaseTarget]:
        """A fresh database holding the seed's tables and rows, sequences past the seed."""
        template = self._template(seed_name)
        name = self._new_name("run")
        with self.admin().connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
        try:
            yield DatabaseTarget(
                sync_url=self.url(name, "psycopg"),
                async_url=self.url(name, "asyncpg"),
                seeded=True,
            )
        finally:
            # The run disposed of its engine; a connection it leaked must not keep the
            # database (FORCE ends it), nor fail the test that is over.
            with contextlib.suppress(Exception), self.admin().connect() as conn:
                conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))

    def _template(self, seed_name: str) -> str:
        if seed_name not in self._templates:
            name = self._new_name(f"seed_{seed_name}")
            with self.admin().connect() as conn:
                conn.execute(text(f"CREATE DATABASE {name}"))
            seed_database(
                self.url(name), {}, seed_name, after_seed=reset_postgresql_sequences
            )
            self._templates[seed_name] = name
        return self._templates[seed_name]


# --------------------------------------------------------------------------- results


def normalize_result(scenario: ModuleType, result: Any) -> Any:
    custom = getattr(scenario, "normalize", None)
    if custom is not None:
        result = custom(result)
    return normalize(result)


_SCALARS = (
    type(None),
    bool,
    int,
    float,
    str,
    bytes,
    decimal.Decimal,
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
)


def _django_identity(value: Any) -> tuple[str, Any] | None:
    """A Django model instance as (class name, primary key); None for anything else.
    A QuerySet is refused: it would query when read, outside the counted run."""
    models = sys.modules.get("django.db.models")  # not loaded: no Django value here
    if models is None:
        return None
    if isinstance(value, models.QuerySet):
        raise TypeError("scenario returned a QuerySet; evaluate it inside run()")
    if isinstance(value, models.Model):
        return (type(value).__name__, value.pk)
    return None


def normalize(value: Any) -> Any:
    """Reduce a result to comparable plain data.

    ORM instance (SQLAlchemy or Django) -> (class name, primary key); Row -> tuple;
    dataclass -> (class name, ((field, value), ...)); lists, tuples, sets and mappings
    recursively (a defaultdict becomes a plain dict, so it compares like one). Iterators and unknown objects are
    refused: a scenario must hand back data it consumed inside `run`, where round trips
    are counted.
    """
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Row):
        return tuple(normalize(v) for v in value)
    if (django_identity := _django_identity(value)) is not None:
        return django_identity
    state = sa_inspect(value, raiseerr=False)
    if state is not None and hasattr(state, "mapper") and hasattr(state, "identity"):
        identity = state.identity
        if identity is None:  # pending or transient: fall back to the attribute values
            identity = tuple(state.mapper.primary_key_from_instance(value))
        key = identity[0] if len(identity) == 1 else tuple(identity)
        return (type(value).__name__, key)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(
                (f.name, normalize(getattr(value, f.name)))
                for f in dataclasses.fields(value)
            ),
        )
    if isinstance(value, Mapping):
        return {normalize(k): normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, tuple):
        return tuple(normalize(v) for v in value)
    if isinstance(value, frozenset):
        return frozenset(normalize(v) for v in value)
    if isinstance(value, set):
        return {normalize(v) for v in value}
    if isinstance(value, Iterator):
        raise TypeError(
            f"scenario returned an iterator ({type(value).__name__}); consume it inside run()"
        )
    raise TypeError(
        f"cannot normalise a {type(value).__module__}.{type(value).__qualname__}"
    )
