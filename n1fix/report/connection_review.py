"""The audit's "Connection management review": how the project builds its engines and
opens its sessions (read from the code with `ast`), what it does well, and what to add.

Pool settings are advice here, not findings of a rule: whether a pool is too small, a
recycle time too long or a missing pre-ping a problem depends on the deployment (how
many worker processes, the database's connection limit, a pooler such as PgBouncer, a
proxy that drops idle connections), which the code does not show. A linter finding must
name a problem at a line and survive review on its own; "no `pool_pre_ping`" in a
one-shot script or on SQLite names none. So the review says what is set, what is
missing and why it matters, and proposes no number: the values are the project's to
choose. Leaks and engines built per call are findings (`connection-leak`), quoted here.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from n1fix.orm.engine_settings import EngineSite, ModuleSettings, read_settings
from n1fix.report.wording import joined, plural

RULE = "connection-leak"
SERVERS = {
    "postgresql": "PostgreSQL",
    "mysql": "MySQL",
    "oracle": "Oracle",
    "mssql": "SQL Server",
}
NAMES = {**SERVERS, "sqlite": "SQLite"}


@dataclass
class ProjectSettings:
    engines: list[tuple[str, EngineSite]] = field(default_factory=list)
    sessionmakers: list[str] = field(default_factory=list)
    registries: list[str] = field(default_factory=list)
    with_opens: int = 0
    frameworks: set[str] = field(default_factory=set)
    workers: set[str] = field(default_factory=set)
    dialects: set[str] = field(default_factory=set)
    health_check: bool = False

    def add(self, path: str, module: ModuleSettings, text: str) -> None:
        for site in sorted(module.engines, key=lambda site: site.line):
            if site.dialect is None and len(module.dialects) == 1:
                # the one database its module names (the URL comes from a variable)
                site.dialect = next(iter(module.dialects))
            self.engines.append((path, site))
        self.sessionmakers += [f"{path}:{line}" for line in module.sessionmakers]
        self.registries += [f"{path}:{line}" for line in module.registries]
        self.with_opens += module.with_opens
        self.frameworks |= module.frameworks
        self.workers |= module.workers
        self.dialects |= module.dialects
        self.health_check = self.health_check or "select 1" in text.lower()

    def on(self, site: EngineSite, dialect: str) -> bool:
        """Does the engine talk to `dialect`: its own, or else the project's only server?"""
        if site.dialect is not None:
            return site.dialect == dialect
        return self.dialects & set(SERVERS) == {dialect}

    @property
    def long_lived(self) -> bool:
        """A web application or a worker: a process that keeps its pool for hours."""
        return bool(self.frameworks or self.workers)


def write(out: TextIO, result, paths: list[str]) -> None:
    project = _gather(result, paths)
    leaks = [f for f in result.findings if f.rule == RULE and "engine" not in f.message]
    per_call = [
        f for f in result.findings if f.rule == RULE and "new engine" in f.message
    ]
    out.write("## Connection management review\n\n")
    out.write(
        "Read from the code: how engines are built, what they pass to their pool, and how "
        "sessions are opened and closed. Pool sizes and timeouts depend on the deployment "
        "(worker processes, the database's connection limit, a pooler), which the code does "
        "not show, so this section says what is set and what is missing, and proposes no "
        "values.\n\n"
    )
    _current(out, project)
    _good(out, project, leaks, per_call)
    _recommendations(out, project, leaks, per_call)


def _gather(result, paths: list[str]) -> ProjectSettings:
    from n1fix.config import load_config
    from n1fix.engine.discovery import discover
    from n1fix.engine.fileio import SourceError, read_source
    from n1fix.engine.runner import display_path
    from n1fix.orm.imports import import_map, module_name_for

    root = result.project.root if result.project is not None else Path.cwd()
    config = load_config(root)
    found = discover(
        [Path(p) for p in paths],
        root=root,
        exclude=config.exclude,
        extend_exclude=config.extend_exclude,
        respect_gitignore=config.respect_gitignore,
        include_tests=config.include_tests,
    )
    project = ProjectSettings()
    for path in found.files:
        try:
            text = read_source(path).text
            tree = ast.parse(text)
        except (SourceError, SyntaxError, ValueError, RecursionError):
            continue
        imports = import_map(
            tree, module_name_for(path, root), path.name == "__init__.py"
        )
        project.add(display_path(path), read_settings(tree, imports), text)
    return project


def _current(out: TextIO, project: ProjectSettings) -> None:
    out.write("### Current implementation\n\n")
    kinds = [*sorted(project.frameworks), *sorted(project.workers)]
    if project.frameworks:
        what = f"a web application ({', '.join(kinds)})"
    elif project.workers:
        what = f"a worker ({', '.join(kinds)})"
    else:
        what = "no web framework or task queue imported (a library, a script or a service of its own)"
    out.write(f"- **Application:** {what}\n")
    databases = [NAMES[d] for d in sorted(project.dialects) if d in NAMES]
    out.write(
        "- **Database:** "
        + (
            joined(databases) + " (from the URLs written in the code)"
            if databases
            else "not named in the code (the URL comes from configuration)"
        )
        + "\n"
    )
    out.write(
        f"- **Sessions:** {plural(len(project.sessionmakers), 'sessionmaker')}"
        + (f" ({_where(project.sessionmakers)})" if project.sessionmakers else "")
        + f", {plural(len(project.registries), '`scoped_session` registry', '`scoped_session` registries')}"
        + (f" ({_where(project.registries)})" if project.registries else "")
        + f"; {plural(project.with_opens, 'session or connection', 'sessions or connections')} opened in a `with`\n"
    )
    if not project.engines:
        out.write(
            "- **Engines:** none built in the code read (a framework builds it from its "
            "configuration: Flask-SQLAlchemy from `SQLALCHEMY_DATABASE_URI` and "
            "`SQLALCHEMY_ENGINE_OPTIONS`, Django from `DATABASES`)\n\n"
        )
        return
    out.write(f"- **Engines:** {len(project.engines)}\n\n")
    out.write("| Where | Built by | In | Pool settings |\n|---|---|---|---|\n")
    for path, site in project.engines:
        where = f"`{site.function}()`" if site.function else "module level"
        settings = ", ".join(f"`{k}={v}`" for k, v in site.settings.items())
        if site.unknown:
            settings = (
                settings + ", " if settings else ""
            ) + "more from `**kwargs` (not read)"
        out.write(
            f"| `{path}:{site.line}` | `{site.maker}` | {where} | {settings or 'none: SQLAlchemy defaults'} |\n"
        )
    out.write("\n")


def _where(places: list[str], most: int = 3) -> str:
    shown = ", ".join(f"`{p}`" for p in places[:most])
    return shown + (f" and {len(places) - most} more" if len(places) > most else "")


def _good(out: TextIO, project: ProjectSettings, leaks, per_call) -> None:
    good: list[str] = []
    if project.engines and not per_call:
        good.append(
            "No engine is built per request or per item (`connection-leak` found none): "
            "each engine's pool is shared by the sessions that use it."
        )
    if project.sessionmakers or project.registries:
        good.append(
            "Sessions come from "
            + (
                "sessionmakers"
                if project.sessionmakers
                else "`scoped_session` registries"
            )
            + ", configured in one place."
        )
    if project.with_opens:
        good.append(
            f"{plural(project.with_opens, 'session or connection is', 'sessions or connections are')} "
            "opened in a `with`, which closes them on every path, exceptions included."
        )
    if not leaks:
        good.append(
            "No session or connection is left open: `connection-leak` found none opened "
            "without a `with` or a `close()` in `finally`."
        )
    for setting, words in (
        ("pool_pre_ping", "connections are tested before use"),
        (
            "pool_recycle",
            "connections are replaced before the server or a proxy drops them",
        ),
        ("pool_size", "the pool's size is set explicitly"),
        ("pool_timeout", "a checkout waits a bounded time for a free connection"),
    ):
        sites = [f"{p}:{s.line}" for p, s in project.engines if setting in s.settings]
        if sites:
            good.append(f"`{setting}` is set ({_where(sites)}): {words}.")
    timed = [f"{p}:{s.line}" for p, s in project.engines if s.statement_timeout]
    if timed:
        good.append(f"A statement timeout is set ({_where(timed)}).")
    if project.health_check:
        good.append("The code runs a `SELECT 1`: a database health check.")
    out.write("### Good practices observed\n\n")
    if not good:
        out.write("None found in the code read.\n\n")
    for number, line in enumerate(good, start=1):
        out.write(f"{number}. {line}\n")
    out.write("\n")


def _recommendations(out: TextIO, project: ProjectSettings, leaks, per_call) -> None:
    advice: list[tuple[str, str, str | None]] = []  # (title, why, code)
    if leaks:
        advice.append(
            (
                "Close every session and connection",
                f"{plural(len(leaks), 'session or connection', 'sessions or connections')} "
                "above (`connection-leak`) "
                + ("is" if len(leaks) == 1 else "are")
                + " opened without a `with` or a `close()` in `finally`: each keeps its "
                "connection checked out until the garbage collector finds it, and under "
                "load the pool runs dry. `n1fix apply` writes the `with` form where it is safe.",
                "with SessionLocal() as session:\n    ...",
            )
        )
    if per_call:
        advice.append(
            (
                "Build each engine once",
                f"{plural(len(per_call), 'engine is', 'engines are')} built per request or "
                "per item (`connection-leak` above): each call opens new connections and "
                "leaves them to the garbage collector. Build the engine at start-up (module "
                "level, or cached) and reuse it.",
                None,
            )
        )
    servers = project.dialects & set(SERVERS) or (
        set() if project.dialects else {"unknown"}
    )
    engines = [(p, s) for p, s in project.engines if s.dialect != "sqlite"]
    if servers and engines:
        missing_ping = [
            f"{p}:{s.line}"
            for p, s in engines
            if "pool_pre_ping" not in s.settings
            and "NullPool" not in s.settings.get("poolclass", "")
            and not s.unknown
        ]
        if missing_ping and project.long_lived:
            advice.append(
                (
                    f"Test connections before use (`pool_pre_ping`) at {_where(missing_ping)}",
                    "A long-running process keeps pooled connections for hours; when the "
                    "database restarts, fails over, or a proxy or firewall drops an idle "
                    "connection, the pool hands out a dead one and the next statement fails. "
                    "`pool_pre_ping=True` checks each connection as it is checked out (a "
                    "cheap ping) and replaces a dead one.",
                    "engine = create_engine(url, pool_pre_ping=True)",
                )
            )
        untimed = [
            f"{p}:{s.line}"
            for p, s in engines
            if not s.statement_timeout and not s.unknown and project.on(s, "postgresql")
        ]
        if untimed:
            advice.append(
                (
                    f"Set a statement timeout at {_where(untimed)}",
                    "Without one, a runaway query holds its connection, and its locks, "
                    "until it finishes; other requests queue for the pool behind it. On "
                    "PostgreSQL set `statement_timeout` for the engine's connections, to a "
                    "value above the slowest legitimate query (the project's to choose; a "
                    "migration or report may set a longer one with `SET LOCAL`).",
                    "# psycopg / psycopg2\n"
                    'engine = create_engine(url, connect_args={"options": "-c statement_timeout=<milliseconds>"})\n'
                    "# asyncpg\n"
                    'engine = create_async_engine(url, connect_args={"server_settings": {"statement_timeout": "<milliseconds>"}})',
                )
            )
        unsized = [
            f"{p}:{s.line}"
            for p, s in engines
            if not {"pool_size", "max_overflow"} & s.settings.keys()
            and "NullPool" not in s.settings.get("poolclass", "")
            and not s.unknown
        ]
        if unsized and project.long_lived:
            advice.append(
                (
                    f"Size the pool for the deployment at {_where(unsized)}",
                    "Each engine keeps up to `pool_size + max_overflow` connections per "
                    "process (SQLAlchemy's defaults: 5 and 10). Multiply by the number of "
                    "worker processes and compare with the database's connection limit "
                    "(`max_connections`), then set both explicitly, with `pool_timeout` "
                    "for how long a request may wait for a free connection.",
                    "engine = create_engine(url, pool_size=<n>, max_overflow=<m>, pool_timeout=<seconds>)",
                )
            )
        if "mysql" in project.dialects:
            unrecycled = [
                f"{p}:{s.line}"
                for p, s in engines
                if "pool_recycle" not in s.settings
                and not s.unknown
                and "NullPool" not in s.settings.get("poolclass", "")
                and project.on(s, "mysql")
            ]
            if unrecycled:
                advice.append(
                    (
                        f"Recycle MySQL connections (`pool_recycle`) at {_where(unrecycled)}",
                        "MySQL closes connections idle longer than its `wait_timeout`; a "
                        "pooled one older than that fails on its next use. Set `pool_recycle` "
                        "below the server's `wait_timeout`.",
                        "engine = create_engine(url, pool_recycle=<seconds below wait_timeout>)",
                    )
                )
    if project.frameworks and not project.health_check:
        advice.append(
            (
                "Add a database health check",
                "A web application's readiness probe should say whether the database "
                "answers, so that a broken connection takes the instance out of rotation "
                "instead of failing requests.",
                "def database_ready() -> bool:\n"
                "    try:\n"
                "        with engine.connect() as conn:\n"
                '            conn.execute(text("SELECT 1"))\n'
                "        return True\n"
                "    except SQLAlchemyError:\n"
                "        return False",
            )
        )
    out.write("### Recommendations\n\n")
    if not advice:
        out.write("None from the code read.\n\n")
        return
    for number, (title, why, code) in enumerate(advice, start=1):
        out.write(f"**{number}. {title}**\n\n{why}\n\n")
        if code:
            out.write(f"```python\n{code}\n```\n\n")
