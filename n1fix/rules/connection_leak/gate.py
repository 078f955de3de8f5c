"""What connection-leak's gate reads of a file's imports, with `ast`, before LibCST.

Every opener `openers.opener` proves is reached through the file's imports: a name
imported from one of `OPENER_MODULES` (`Session`, `sqlite3.connect`, `create_engine`,
an annotation `Engine`), or a name imported from a project module that reads like a
sessionmaker or an engine (`FACTORY_NAME`: `SessionLocal`, looked up there). A file
with neither never reaches LibCST for this rule: in a Django application, that is
`post_save.connect(...)` and `request.session` everywhere.
"""

from __future__ import annotations

import ast
import re

from n1fix.cst.astwalk import nodes_of

# The packages whose names `openers` and `engines` qualify (tests/test_gate_precision.py
# holds the two lists together).
OPENER_MODULES = frozenset({"sqlalchemy", "sqlite3", "psycopg", "psycopg2", "asyncpg"})
# Every part of those qualified names: a relative import (`from .orm import Session`,
# inside such a package) can only reach one of them by importing one of these.
OPENER_NAME_PARTS = frozenset(
    {
        *OPENER_MODULES,
        "orm",
        "session",
        "Session",
        "ext",
        "asyncio",
        "AsyncSession",
        "connect",
        "sessionmaker",
        "async_sessionmaker",
        "create_engine",
        "engine",
        "engine_from_config",
        "create_async_engine",
        "async_engine_from_config",
        "create_pool",
        "Engine",
        "base",
        "AsyncEngine",
        "pool",
        "Pool",
    }
)
# An imported name is looked up in its project module only when it reads like a
# sessionmaker or an engine (`openers.binding`).
FACTORY_NAME = re.compile(r"(?i)session|maker|engine|^db$")
# A file that may build an engine per call (`engines.per_call_engines` looks no further).
ENGINE_TEXT = re.compile(r"create_engine|create_async_engine|engine_from_config")
# Methods that open something on their receiver, and classes reached as attributes.
OPENER_METHODS = frozenset(
    {"connect", "begin", "acquire", "Session", "AsyncSession", "sessionmaker"}
)
# Calls that hand back the same object, configured (`engine.connect().execution_options(...)`).
SAME_OBJECT = frozenset({"execution_options"})


def opened_call(statement: ast.Assign | ast.AnnAssign) -> ast.Call | None:
    """The call of `name = call(...)` (or awaited, or configured: `SAME_OBJECT`) when it
    could be an opener by its shape, as `analysis._may_open` reads the statement: the
    only statements whose opener the check looks for (an engine built per call aside)."""
    if isinstance(statement, ast.Assign):
        if len(statement.targets) != 1 or not isinstance(
            statement.targets[0], ast.Name
        ):
            return None
    elif statement.value is None or not isinstance(statement.target, ast.Name):
        return None
    value = statement.value
    if isinstance(value, ast.Await):
        value = value.value
    while (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr in SAME_OBJECT
    ):
        value = value.func.value
    if not isinstance(value, ast.Call):
        return None
    func = value.func
    if isinstance(func, ast.Attribute):
        return value if func.attr in OPENER_METHODS else None
    return value if isinstance(func, (ast.Name, ast.Call)) else None


def imports_opener_names(tree: ast.Module) -> bool:
    """Does the file import from a package whose openers `openers` knows, or import
    (relatively) a name that may be part of one of theirs?"""
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            if any(
                alias.name.split(".", 1)[0] in OPENER_MODULES for alias in node.names
            ):
                return True
        elif node.level == 0:
            if (node.module or "").split(".", 1)[0] in OPENER_MODULES:
                return True
        elif any(alias.name in OPENER_NAME_PARTS for alias in node.names):
            return True  # the imported name is a part of what it qualifies to
    return False


def imported_factory_names(tree: ast.Module) -> set[str]:
    """The names the file's imports bind that read like a sessionmaker or an engine."""
    found: set[str] = set()
    for node in _imports(tree):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".", 1)[0]
            if FACTORY_NAME.search(bound):
                found.add(bound)
    return found


def _imports(tree: ast.Module):
    """Every import statement, at any depth (the import map reads nested ones too)."""
    return nodes_of(tree, ast.Import, ast.ImportFrom)
