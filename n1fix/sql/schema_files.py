"""Indexes declared in files the scan does not check: Alembic migrations (in folders the
default excludes skip, `*migrations*/`) and `.sql` DDL files.

`schema_indexes(root)` answers once per run (the runner clears it) with plain data, so a
check that reads it can note it as a project fact (`FileContext.note_fact`) and the
results cache asks it again of today's files.
"""

from __future__ import annotations

import ast
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
