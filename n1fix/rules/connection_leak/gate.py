"""What connection-leak's gate reads of a file's imports, with `ast`, before LibCST.

Every opener `openers.opener` proves is reached through the file's imports: a name
imported from one of `OPENER_MODULES` (`Session`, `sqlite3.connect`, `create_engine`,
an annotation `Engine`), or a name imported from a project module that reads like a
sessionmaker or an engine (`FACTORY_NAME`: `SessionLocal`, looked up there). A file
with neither never reaches LibCST for this rule: in a Django application, that is
`post_save.connect(...)` and `request.session` everywhere.

A file let through by an imported name alone is turned away once the project is known
(`turned_away`) when no such name can be a sessionmaker or an engine where
`openers.binding` looks it up: the top level of the module it is imported from, read
by the called name (`_bound_elsewhere`). The survey keeps, for every file, the names its
top level binds to such a call (`maker_bound_names`).
"""

from __future__ import annotations

import ast
import re

from n1fix.cst.astwalk import called_name, nodes_of

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


def may_build_engine(text: str) -> bool:
    """`ENGINE_TEXT.search(text)` with str searches: the regular expression is tried
    at every position of the text (a tenth of the gate's cost on prefect)."""
    return (
        "create_engine" in text
        or "create_async_engine" in text
        or "engine_from_config" in text
    )


# What `openers._bound_elsewhere` reads a sessionmaker or an engine from, by the called
# name's last part (`openers._MAKER_NAMES`: tests/test_gate_precision.py holds them together).
MAKER_CALLS = frozenset(
    {
        "sessionmaker",
        "async_sessionmaker",
        "create_engine",
        "create_async_engine",
        "engine_from_config",
    }
)
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


def maker_bound_names(tree: ast.Module) -> list[str]:
    """The names the module's top level assigns a call of a `MAKER_CALLS` name to (a
    superset of those `openers._bound_elsewhere` finds a sessionmaker or an engine in:
    it reads top-level `name = call(...)` statements only, by the called name's last
    part)."""
    found: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        else:
            continue
        value = statement.value
        if not isinstance(value, ast.Call):
            continue
        if called_name(value.func) in MAKER_CALLS:
            found.update(t.id for t in targets if isinstance(t, ast.Name))
    return sorted(found)


def turned_away(facts: dict | None, file, rule_name: str) -> bool:
    """Can a file the gate let through by imported names alone (`facts["through"]`) be
    turned away, knowing the project? Yes when none of them can open anything: a name
    whose import (the import map the check reads, `file.imports`) is one of
    `OPENER_TARGETS` may; else `openers.binding` looks an imported name up only when
    its import names a module (`a.b.Name`) and the name reads like a factory
    (`FACTORY_NAME`), in that module, found as `FileContext.project_module` finds it
    (the file itself when it imports from itself), and a name its top level does not
    bind to a `MAKER_CALLS` call is no sessionmaker or engine there. A module this run
    did not survey may be one."""
    if not facts or "through" not in facts:
        return False  # let through by what it imports from a driver: the check decides
    return not any(
        _may_be_maker(name, facts, file, rule_name) for name in facts["through"]
    )


# The imported names `openers.opener` proves to open something when called by their
# name (`_SESSION_CLASSES`, `_ASYNC_SESSION_CLASSES`, `DBAPI_CONNECTS`, asyncpg's
# `connect`; tests/test_gate_precision.py holds them equal).
OPENER_TARGETS = frozenset(
    {
        "sqlalchemy.orm.Session",
        "sqlalchemy.orm.session.Session",
        "sqlalchemy.ext.asyncio.AsyncSession",
        "sqlalchemy.ext.asyncio.session.AsyncSession",
        "sqlite3.connect",
        "psycopg.connect",
        "psycopg2.connect",
        "asyncpg.connect",
    }
)


def _may_be_maker(name: str, facts: dict, file, rule_name: str) -> bool:
    target = file.imports.get(name)
    if target in OPENER_TARGETS:
        return True  # `Session(engine)`, `connect(path)`: an opener by its import
    if target is None or "." not in target or not FACTORY_NAME.search(name):
        return False  # `binding` does not look it up
    module_name, _, attr = target.rpartition(".")
    if module_name == file.module_name:
        return attr in facts.get("makers", ())
    path = file.find_module(module_name)
    if path is None:
        return False  # no module of the project: `project_module` gives None
    try:
        other = file.facts_of(rule_name, path)
    except KeyError:
        return True  # not surveyed: nothing says what it binds
    return attr in (other or {}).get("makers", ())


def called_by_imported_names(
    tree: ast.Module, calls: list[ast.Call]
) -> list[str] | None:
    """The names `calls` are made through, when each is a plain name (`name(...)`) that
    the file binds by imports alone, or a function or class of its top level; those
    are left out (`openers.opener` gives nothing for them: `_defined_here`). None when
    some call is made otherwise (through an attribute, a call's result, a name the file
    assigns, takes as a parameter or binds in any other way), or the file has a star
    import (which may bind any name).

    For such a name, `openers.opener` decides by the import alone: its qualified name
    (`qualified`, from the import map) or, failing that, `binding`, which finds no
    parameter, no assignment in the function or at the top level (`_bound_in`), and
    looks the name up in the module it is imported from: what `turned_away` reads."""
    defined = {
        statement.name
        for statement in tree.body
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    names: set[str] = set()
    for call in calls:
        func = call.func
        if type(func) is not ast.Name:
            return None
        if func.id not in defined:
            names.add(func.id)
    if not names:
        return []
    imported, bound = _import_and_other_bindings(tree)
    if imported is None or not names <= imported or names & bound:
        return None
    return sorted(names)


def _import_and_other_bindings(tree: ast.Module) -> tuple[set[str] | None, set[str]]:
    """(the names the file's imports bind, None with a star import; every name bound
    any other way, anywhere in the file)."""
    imported: set[str] = set()
    for node in _imports(tree):
        for alias in node.names:
            if alias.name == "*":
                return None, set()
            imported.add(alias.asname or alias.name.split(".", 1)[0])
    bound: set[str] = set()
    for node in nodes_of(tree, ast.Name):
        if type(node.ctx) is not ast.Load:
            bound.add(node.id)  # assigned, a loop's or `with`'s target, deleted
    for node in nodes_of(tree, ast.arg):
        bound.add(node.arg)
    for node in nodes_of(
        tree, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler
    ):
        if node.name:
            bound.add(node.name)
    for node in nodes_of(tree, ast.MatchAs, ast.MatchStar):
        if node.name:
            bound.add(node.name)
    for node in nodes_of(tree, ast.MatchMapping):
        if node.rest:
            bound.add(node.rest)
    return imported, bound
