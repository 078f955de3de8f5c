"""Which database driver a file talks to, and so which placeholder styles and which SQL
dialect its SQL strings use: from what it imports and the engine URLs it spells out.

    import sqlite3                    -> sqlite3: `?` and `:name`, SQLite
    import psycopg / psycopg2         -> psycopg (3 or 2): `%s` and `%(name)s`, PostgreSQL
    import asyncpg                    -> asyncpg: `$1`, PostgreSQL
    "postgresql+psycopg://..."        -> SQLAlchemy's text() reads PostgreSQL, and
                                         exec_driver_sql takes psycopg's styles

SQLAlchemy's `text()` always takes `:name` whatever the driver; only its dialect comes
from the URL (none spelled out: sqlglot's generic dialect).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from n1fix.sql.placeholders import Style

SQLITE3, PSYCOPG, PSYCOPG2, ASYNCPG = "sqlite3", "psycopg", "psycopg2", "asyncpg"
SQLALCHEMY = "sqlalchemy"


@dataclass(frozen=True)
class Driver:
    name: str
    styles: frozenset[Style]
    dialect: str | None  # sqlglot's name for the SQL it reads


DRIVERS = {
    SQLITE3: Driver(SQLITE3, frozenset({Style.QMARK, Style.NAMED}), "sqlite"),
    PSYCOPG: Driver(PSYCOPG, frozenset({Style.FORMAT, Style.PYFORMAT}), "postgres"),
    # psycopg 2's executemany runs one statement at a time (its docs: no faster than a
    # loop); `psycopg2.extras.execute_batch` is its batched form
    PSYCOPG2: Driver(PSYCOPG2, frozenset({Style.FORMAT, Style.PYFORMAT}), "postgres"),
    ASYNCPG: Driver(ASYNCPG, frozenset({Style.NUMERIC}), "postgres"),
}
_MODULE_DRIVERS = {
    "sqlite3": SQLITE3,
    "psycopg": PSYCOPG,
    "psycopg2": PSYCOPG2,
    "asyncpg": ASYNCPG,
}
# The driver SQLAlchemy picks for a URL without one (`postgresql://` is psycopg2).
_URL = re.compile(r"""["'](postgresql|postgres|sqlite|mysql|mariadb)(?:\+(\w+))?://""")
_URL_DRIVERS = {
    ("postgresql", None): PSYCOPG2,
    ("postgresql", "psycopg"): PSYCOPG,
    ("postgresql", "psycopg2"): PSYCOPG2,
    ("postgresql", "asyncpg"): ASYNCPG,
    ("sqlite", None): SQLITE3,
    ("sqlite", "pysqlite"): SQLITE3,
}
_URL_DIALECTS = {"postgresql": "postgres", "sqlite": "sqlite", "mysql": "mysql"}


@dataclass(frozen=True)
class FileDrivers:
    """The drivers a file imports, and the engine URL it names (if exactly one kind)."""

    imported: frozenset[str]
    url_driver: str | None  # the driver of the engine URL(s) the file spells out
    url_dialect: str | None

    @property
    def text_dialect(self) -> str | None:
        """The dialect SQLAlchemy's `text()` strings are read in."""
        if self.url_dialect:
            return self.url_dialect
        dialects = {DRIVERS[name].dialect for name in self.imported}
        return dialects.pop() if len(dialects) == 1 else None

    def only(self, *names: str) -> Driver | None:
        """The one driver among `names` the file imports, or None (none or several)."""
        found = [name for name in names if name in self.imported]
        return DRIVERS[found[0]] if len(found) == 1 else None


def file_drivers(imports: dict[str, str], text: str) -> FileDrivers:
    imported = frozenset(
        _MODULE_DRIVERS[top]
        for qualified in imports.values()
        if (top := qualified.split(".")[0]) in _MODULE_DRIVERS
    )
    urls = {
        (("postgresql" if scheme == "postgres" else scheme), driver)
        for scheme, driver in _URL.findall(text)
    }
    dialects = {_URL_DIALECTS.get(scheme) for scheme, _ in urls}
    drivers = {_URL_DRIVERS.get((scheme, driver or None)) for scheme, driver in urls}
    return FileDrivers(
        imported,
        drivers.pop() if len(drivers) == 1 else None,
        dialects.pop() if len(dialects) == 1 else None,
    )


# Where a project declares what it installs.
_DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "Pipfile")
_PSYCOPG2 = re.compile(r"""["'\s]psycopg2(?:-binary)?\b""")
# Extras that install what the project's tests and tools need, not what it runs with.
_TOOLING_EXTRAS = {"test", "tests", "testing", "dev", "docs", "lint", "typing"}


@functools.cache
def declares_psycopg2(root: Path) -> bool:
    """Does the project at `root` install psycopg 2 (its pyproject, setup files or
    requirements)? SQLAlchemy takes it for a plain `postgresql://` URL."""
    paths = [root / name for name in _DEPENDENCY_FILES]
    paths += sorted(root.glob("requirements*.txt")) + sorted(
        root.glob("*/requirements*.txt")
    )
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if path.name == "pyproject.toml":
            text = _runtime_dependencies(text)
        if _PSYCOPG2.search("\n" + text):
            return True
    return False


def _runtime_dependencies(pyproject: str) -> str:
    """A pyproject's dependencies and extras, one a line, without the extras that only
    tests and tools install (a test suite may run psycopg 2 beside an application that
    does not); the whole text when it is not TOML n1fix can read."""
    import tomllib

    try:
        data = tomllib.loads(pyproject)
    except tomllib.TOMLDecodeError:
        return pyproject
    project = data.get("project", {})
    lines = [str(d) for d in project.get("dependencies", [])]
    for extra, deps in project.get("optional-dependencies", {}).items():
        if extra.lower() not in _TOOLING_EXTRAS:
            lines += [str(d) for d in deps]
    lines += list(data.get("tool", {}).get("poetry", {}).get("dependencies", {}))
    return "\n".join(" " + line for line in lines)
