"""Run the golden corpus for real: discover cases, run before/after, count round trips.

A golden case is a directory `golden/<rule>/<case>/` holding `before.py`, `case.toml`,
`scenario.py` and, unless the code must come out unchanged, a hand-written `after.py`.
The scenario's `run(module, session)` (or `async def run`) calls the case's code with
realistic arguments; this module gives it a fresh seeded SQLite database each time, counts
the statements sent to the database while `run` executes, and reduces the result to plain
data so that the before and after results can be compared.

Round trips are counted with SQLAlchemy's `before_cursor_execute` event, which fires once
per statement sent to the driver; an executemany is one call, so it counts once.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import decimal
import enum
import importlib
import importlib.util
import inspect as pyinspect
import itertools
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from sqlalchemy import create_engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine, Row
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_ROOT = ROOT / "golden"
DEFAULT_SEED = "renderapp"
APPLICABILITIES = ("safe", "unsafe", "none")
REQUIRED_FILES = ("before.py", "case.toml", "scenario.py")


# --------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class ExpectedFinding:
    rule: str
    line: int
    applicability: str

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
        p = self.path / "after.py"
        return p if p.exists() else None

    @property
    def scenario_path(self) -> Path:
        return self.path / "scenario.py"

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
    missing = [name for name in ("before.py", "case.toml") if not (case_dir / name).exists()]
    if missing:
        raise CaseError(f"{case_dir}: missing {', '.join(missing)}")
    try:
        data = tomllib.loads((case_dir / "case.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CaseError(f"{case_dir / 'case.toml'}: invalid TOML: {exc}") from exc

    def fail(msg: str) -> CaseError:
        return CaseError(f"{case_dir / 'case.toml'}: {msg}")

    known = {"description", "unsafe_fixes", "findings", "run"}
    if unknown := set(data) - known:
        raise fail(f"unknown keys {sorted(unknown)}")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise fail("`description` must be a non-empty string")
    unsafe_fixes = data.get("unsafe_fixes", False)
    if not isinstance(unsafe_fixes, bool):
        raise fail("`unsafe_fixes` must be a boolean")
    if "findings" not in data:
        raise fail("`findings` is required (`findings = []` when the rule must not fire)")
    raw_findings = data["findings"]
    if not isinstance(raw_findings, list):
        raise fail("`findings` must be an array of tables")
    findings = []
    for i, raw in enumerate(raw_findings):
        if not isinstance(raw, dict) or set(raw) != {"rule", "line", "applicability"}:
            raise fail(f"findings[{i}] needs exactly rule, line, applicability")
        if not isinstance(raw["rule"], str) or not isinstance(raw["line"], int):
            raise fail(f"findings[{i}]: rule must be a string and line an integer")
        if raw["applicability"] not in APPLICABILITIES:
            raise fail(f"findings[{i}]: applicability must be one of {APPLICABILITIES}")
        findings.append(ExpectedFinding(raw["rule"], raw["line"], raw["applicability"]))
    run = data.get("run")
    if not isinstance(run, dict) or not isinstance(run.get("runs"), bool):
        raise fail("`[run]` with `runs = true|false` is required")
    if unknown := set(run) - {"runs", "reason"}:
        raise fail(f"[run]: unknown keys {sorted(unknown)}")
    reason = run.get("reason")
    if not run["runs"] and not (isinstance(reason, str) and reason.strip()):
        raise fail("`runs = false` needs `reason = \"...\"`")
    return GoldenCase(
        rule_dir=case_dir.parent.name,
        name=case_dir.name,
        path=case_dir,
        description=description,
        unsafe_fixes=unsafe_fixes,
        findings=findings,
        runs=run["runs"],
        reason=reason,
    )


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
    problems = [f"{case_dir}: missing {name}" for name in REQUIRED_FILES if not (case_dir / name).exists()]
    try:
        case = load_case(case_dir)
    except CaseError as exc:
        return problems + [str(exc)]
    before_lines = case.before_path.read_text(encoding="utf-8").splitlines()
    for source in filter(None, (case.before_path, case.after_path, case.scenario_path)):
        if source.exists():
            try:
                compile(source.read_text(encoding="utf-8"), str(source), "exec")
            except SyntaxError as exc:
                problems.append(f"{source}: does not compile: {exc}")
    for f in case.findings:
        if f.rule != case.rule:
            problems.append(f"{case_dir}: finding for {f.rule!r} in the {case.rule!r} corpus")
        if not 1 <= f.line <= len(before_lines):
            problems.append(f"{case_dir}: finding line {f.line} is outside before.py")
    applied = [
        f for f in case.findings
        if f.applicability == "safe" or (f.applicability == "unsafe" and case.unsafe_fixes)
    ]
    if case.after_path is not None and not applied:
        problems.append(f"{case_dir}: has after.py but no finding whose fix would be applied")
    if case.after_path is None and applied:
        problems.append(f"{case_dir}: a fix would be applied ({applied}) but there is no after.py")
    if case.after_path is not None and case.after_path.read_text() == case.before_path.read_text():
        problems.append(f"{case_dir}: after.py is identical to before.py; delete it instead")
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
    """Counts statements sent to the database (an executemany counts once)."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.active = False

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.active:
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def seed_modules(seed_name: str) -> tuple[Any, Any]:
    ensure_golden_on_path()
    models = importlib.import_module(f"{seed_name}.models")
    seed = importlib.import_module(f"{seed_name}.seed")
    return models, seed


def _sync_run(scenario: ModuleType, module: ModuleType, seed_name: str, db_path: Path):
    models, seed = seed_modules(seed_name)
    engine = create_engine(f"sqlite:///{db_path}")
    counter = RoundTripCounter()
    try:
        models.Base.metadata.create_all(engine)
        with Session(engine) as session:
            seed.seed(session)
            session.commit()
        event.listen(engine, "before_cursor_execute", counter)
        with Session(engine) as session:
            counter.active = True
            try:
                result = scenario.run(module, session)
            finally:
                counter.active = False
            normalized = normalize_result(scenario, result)
        return normalized, counter
    finally:
        engine.dispose()


async def _async_run(scenario: ModuleType, module: ModuleType, seed_name: str, db_path: Path):
    from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

    models, seed = seed_modules(seed_name)
    engine = create_async_engine(f"sqlite+aiosqlite:///{db_path}")
    counter = RoundTripCounter()
    try:
        async with engine.begin() as conn:
            await conn.run_sync(models.Base.metadata.create_all)
        async with AsyncSession(engine) as session:
            await session.run_sync(seed.seed)
            await session.commit()
        event.listen(engine.sync_engine, "before_cursor_execute", counter)
        async with AsyncSession(engine) as session:
            counter.active = True
            try:
                result = await scenario.run(module, session)
            finally:
                counter.active = False
            normalized = normalize_result(scenario, result)
        return normalized, counter
    finally:
        await engine.dispose()


def run_scenario_detailed(
    case_dir: Path | GoldenCase, which: Literal["before", "after"]
) -> tuple[Any, RoundTripCounter]:
    """Like `run_scenario`, but returns the counter with the statements themselves."""
    path = case_dir.path if isinstance(case_dir, GoldenCase) else Path(case_dir)
    if which not in ("before", "after"):
        raise ValueError(f"which must be 'before' or 'after', not {which!r}")
    source = path / f"{which}.py"
    if not source.exists():
        raise FileNotFoundError(source)
    label = f"{path.parent.name}_{path.name}"
    scenario = load_module(path / "scenario.py", f"{label}_scenario")
    module = load_module(source, f"{label}_{which}")
    try:
        seed_name = getattr(scenario, "SEED", DEFAULT_SEED)
        with tempfile.TemporaryDirectory(prefix="n1fix-golden-") as tmp:
            db_path = Path(tmp) / "golden.sqlite3"
            if pyinspect.iscoroutinefunction(scenario.run):
                return asyncio.run(_async_run(scenario, module, seed_name, db_path))
            return _sync_run(scenario, module, seed_name, db_path)
    finally:
        forget_module(module)
        forget_module(scenario)


def run_scenario(
    case_dir: Path | GoldenCase, which: Literal["before", "after"]
) -> tuple[Any, int]:
    """Run `which`.py of a case on a fresh seeded database.

    Returns the normalised result and the number of round trips made during `run`.
    """
    normalized, counter = run_scenario_detailed(case_dir, which)
    return normalized, counter.count


# --------------------------------------------------------------------------- results


def normalize_result(scenario: ModuleType, result: Any) -> Any:
    custom = getattr(scenario, "normalize", None)
    if custom is not None:
        result = custom(result)
    return normalize(result)


_SCALARS = (
    type(None), bool, int, float, str, bytes,
    decimal.Decimal, datetime.date, datetime.datetime, datetime.time, datetime.timedelta,
)


def normalize(value: Any) -> Any:
    """Reduce a result to comparable plain data.

    ORM instance -> (class name, primary key); Row -> tuple; dataclass -> (class name,
    ((field, value), ...)); lists, tuples, sets and mappings recursively (a defaultdict
    becomes a plain dict, so it compares like one). Iterators and unknown objects are
    refused: a scenario must hand back data it consumed inside `run`, where round trips
    are counted.
    """
    if isinstance(value, enum.Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Row):
        return tuple(normalize(v) for v in value)
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
            tuple((f.name, normalize(getattr(value, f.name))) for f in dataclasses.fields(value)),
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
    raise TypeError(f"cannot normalise a {type(value).__module__}.{type(value).__qualname__}")
