"""Indexes declared in files the scan does not check: Alembic migrations (in folders the
default excludes skip, `*migrations*/`) and `.sql` DDL files; and where Alembic keeps its
migrations (`{"alembic_versions": [...]}` entries, from `alembic.ini` or `env.py`).

`schema_indexes(root)` answers once per run (the runner clears it) with plain data, so a
check that reads it can note it as a project fact (`FileContext.note_fact`) and the
results cache asks it again of today's files.
"""

from __future__ import annotations

import ast
import configparser
import functools
import os
from pathlib import Path

from n1fix.sql.schema import declared_indexes, ddl_indexes

SKIPPED = {
    "node_modules",
    "site-packages",
    "__pycache__",
    "venv",
    "env",
    "build",
    "dist",
}
MAX_BYTES = 1_000_000


@functools.lru_cache(maxsize=4)
def schema_indexes(root: Path) -> list[dict]:
    """Each migration or DDL file's facts (as `declared_indexes` gives them), with its
    path relative to `root` under `"path"`, sorted by path."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED)
        for name in sorted(files):
            path = Path(folder, name)
            if name.endswith(".sql"):
                facts = _sql_file(path)
            elif name in ("alembic.ini", "env.py"):
                facts = _alembic_setup(path, root)
            elif name.endswith(".py") and _may_migrate(path, root):
                facts = _migration_file(path)
            else:
                continue
            if facts:
                found.append({**facts, "path": path.relative_to(root).as_posix()})
    return found


def _may_migrate(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts[:-1]
    return any("migration" in p or p in ("alembic", "versions") for p in parts)


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _migration_file(path: Path) -> dict | None:
    text = _read(path)
    if text is None or "down_revision" not in text:
        return None  # not Alembic's (Django's migrations are read from Meta instead)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    facts = declared_indexes(tree, text)
    return facts if facts["migration"] or facts["indexes"] else None


def _sql_file(path: Path) -> dict | None:
    text = _read(path)
    if text is None or "index" not in text.lower():
        return None
    indexes = ddl_indexes(text)
    return {"indexes": indexes, "migration": None} if indexes else None


def _alembic_setup(path: Path, root: Path) -> dict | None:
    """The versions folders an `alembic.ini` names (`script_location`'s `versions/`,
    or its `version_locations`) or an Alembic `env.py` sits beside, relative to `root`;
    None when there is none inside the project."""
    if path.name == "env.py":
        text = _read(path)
        if text is None or "alembic" not in text:
            return None
        folders = [path.parent / "versions"]
    else:
        folders = _ini_versions(path)
    found = []
    for folder in folders:
        try:
            if folder.is_dir() and folder.resolve().is_relative_to(root.resolve()):
                found.append(folder.resolve().relative_to(root.resolve()).as_posix())
        except (OSError, ValueError):
            continue
    if not found:
        return None
    return {"indexes": [], "migration": None, "alembic_versions": found}


def _ini_versions(path: Path) -> list[Path]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []
    if not parser.has_section("alembic"):
        return []
    section = parser["alembic"]
    here = str(path.parent)

    def resolved(value: str) -> Path | None:
        value = value.strip().replace("%(here)s", here)
        if not value or ":" in value or "%(" in value:
            return None  # a package resource or another interpolation: not known here
        return path.parent / value

    locations = section.get("version_locations", "")
    if locations.strip():
        separator = "," if "," in locations else None
        return [p for p in map(resolved, locations.split(separator)) if p]
    script = resolved(section.get("script_location", ""))
    return [script / "versions"] if script is not None else []
