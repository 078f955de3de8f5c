"""## What it does
Finds a database session or connection that a function opens into a local name and
does not close on every path: `Session(engine)`, a sessionmaker's `SessionLocal()`,
`sessionmaker(...)()`, `AsyncSession(engine)`, `engine.connect()`, `engine.begin()`
outside `with`, `sqlite3.connect(...)`, `psycopg.connect(...)`, `psycopg2.connect(...)`,
`asyncpg.connect(...)` and an asyncpg pool's `acquire()`, with no `with` / `async with`
and no `close()` (or `pool.release(conn)`) in a `finally`.

It only reports what it can prove: the opener is read from the imports and from the
assignment of the name it is called on (`SessionLocal = sessionmaker(...)` in the file,
the function or the project module it is imported from; `engine = create_engine(...)`
or a parameter annotated `Engine`). An object whose lifetime is not the function's is
not a leak, and not reported: one returned or yielded (a FastAPI `Depends` generator, a
`@contextmanager` factory, a pytest fixture), stored on `self`, in a global or a
container, passed to another call (which may close it), or captured by a nested
function, nor one a script's `main()` leaves open (a function its
`if __name__ == "__main__":` block calls: the process ends when it returns). A
`scoped_session` registry (`Session = scoped_session(...)`,
Flask-SQLAlchemy's `db.session`) is not an opener: the registry owns its session and
the framework removes it at the end of the request.

It also reports an engine built per request or per item: `create_engine(...)` (or
`create_async_engine`, `engine_from_config`) into a local name that does not leave the
function, in a loop, in a request handler (a route decorator, or `request` as the first
parameter), or in a function this module calls from one of those.

## Why is this bad?
An unclosed session keeps its database connection checked out of the pool until the
garbage collector finds it, and sessions live in reference cycles, so that can be long.
Under load the pool runs dry (`QueuePool limit of size 5 overflow 10 reached, connection
timed out`), requests wait, and the database holds idle transactions open, with their
locks. A `close()` that is not in `finally` is skipped by the first exception before it.
An engine is a connection pool: one built per call opens fresh connections every time
(with their handshakes) and leaves them open until the garbage collector finds it.

## Example
```python
def archive(project_id: int) -> None:
    session = SessionLocal()
    project = session.get(Project, project_id)
    project.archived = True
    session.commit()
```

## Use instead
```python
def archive(project_id: int) -> None:
    with SessionLocal() as session:
        project = session.get(Project, project_id)
        project.archived = True
        session.commit()
```
`async with` for `AsyncSession`, an async engine's `connect()` and `pool.acquire()`;
`with contextlib.closing(sqlite3.connect(...)) as conn:` for a DB-API connection, whose
own `with conn:` ends the transaction but does not close it (psycopg 3's commits, too).

## Fix safety
The fix wraps the rest of the block that opens the object in `with`, which closes it
where the block ends, on every way out. It is offered when the function never closes
the object itself (a `close()` on the normal path only is reported without a fix: move
it to `finally`), the name is bound once, and nothing read through the object is read
after the block. It is safe when nothing read through the object leaves the function
(returned, yielded, stored on a parameter, `self` or a global, or passed to a function
that may keep it): the `with` then closes the object at the point where nothing can
reach it any more, which is what the garbage collector did later. When something does
leave, the fix is unsafe: after the close, unloaded attributes of ORM objects raise
`DetachedInstanceError` and unread results cannot be fetched, where before they were
read from a session nobody had closed yet. No fix for `engine.begin()` outside `with`
(the code does not do what it says), for `asyncpg.connect()` (its connection has no
`async with`), when the statement shares its line with others, or for an engine
built per call (where to keep it is the author's choice: at module level, cached).

## Known problems
A sessionmaker or engine bound to a name in a way n1fix does not read (an attribute of
an object, a factory function's return value, `with ... as engine`) is unknown, so its
sessions are not checked; one imported from another module is looked up there only when
its name says `session`, `maker`, `engine` or `db`. A connection opened and used in one expression (`engine.connect().execute(...)`)
is not reported yet. An engine built per call is only seen when the loop or handler
that calls the function is in the same module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from n1fix.cst.astwalk import below_any, called_name, nodes_of
from n1fix.cst.text_scan import mentions_any
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity
from n1fix.rules.connection_leak.gate import (
    called_by_imported_names,
    imported_factory_names,
    imports_opener_names,
    maker_bound_names,
    may_build_engine,
    opened_call,
    turned_away,
)

# The words an opener's file holds (a cheap first look before `ast`).
_OPENER_WORDS = ("session", "maker", "connect", "begin", "acquire", "engine")
# Called names that may open something: the known openers, and names that may be bound
# to a sessionmaker elsewhere (`SessionLocal()`, `async_session()`, `get_db_session()`).
_CALLED = re.compile(
    r"(?i)session|maker|^connect$|^begin$|^acquire$|^db$|engine_from_config|create_(async_)?engine"
)


class ConnectionLeak(Rule):
    __doc__ = __doc__
    NAME = "connection-leak"
    MESSAGE = "Session or connection not closed on every path"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES

    def gate(self, tree: ast.Module, text: str) -> bool:
        return _gate_answer(tree, text) is not None

    def survey(self, tree: ast.Module, text: str):
        """The names the file's top level binds to a sessionmaker or engine call
        (`makers`: what `project_turns_away` reads of a module another file imports
        from), and, when the gate let the file through by imported names alone, those
        names (`through`)."""
        facts = {}
        makers = maker_bound_names(tree)
        if makers:
            facts["makers"] = makers
        through = _gate_answer(tree, text)
        if isinstance(through, list):
            facts["through"] = through
        return facts or None

    def project_turns_away(self, facts, file, project) -> bool:
        return turned_away(facts, file, self.NAME)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.connection_leak.analysis import find

        return find(ctx, self)


# The last tree the gate read and its answer: the survey and the gate read it in turn.
_LAST: tuple[ast.AST, bool | list[str] | None] | None = None


def _gate_answer(tree: ast.Module, text: str) -> bool | list[str] | None:
    """Why the gate lets the file through: True when it imports from a package whose
    openers `openers` knows; else the imported names, read like a factory, that a call
    in a function may open something through (sorted); None when it may open nothing."""
    global _LAST
    if _LAST is None or _LAST[0] is not tree:
        _LAST = (tree, _answer(tree, text))
    return _LAST[1]


def _answer(tree: ast.Module, text: str) -> bool | list[str] | None:
    if not mentions_any(text, _OPENER_WORDS, ignore_case=True):
        return None
    makers = _module_level_calls(tree)
    heads: set[str | None] = set()
    # Calls in functions, at any depth: the check reads what a function opens. It
    # looks for an opener in `name = opener(...)` only, but for an engine built per
    # call (`engines`), which any call may be.
    functions = nodes_of(tree, ast.FunctionDef, ast.AsyncFunctionDef)
    if may_build_engine(text):
        calls = nodes_of(tree, ast.Call)
    else:
        statements = nodes_of(tree, ast.Assign, ast.AnnAssign)
        calls = list(filter(None, map(opened_call, statements)))
    opening: list[ast.Call] = []
    for inner in below_any(tree, functions, calls):
        if _may_open(inner.func) or (
            isinstance(inner.func, ast.Name) and inner.func.id in makers
        ):
            heads.add(_head(inner.func))
            opening.append(inner)
    if not heads:
        return None
    # What the call may open is proven from the imports (`gate` module).
    if imports_opener_names(tree):
        if may_build_engine(text):
            return True
        # Every call made through a name the file only imports (`object_session`,
        # a project's `get_sessions_for_user`) is decided by that import: the names
        # go to `turned_away`, as for a file importing no driver.
        through = called_by_imported_names(tree, opening)
        return True if through is None else through or None
    through = sorted(imported_factory_names(tree) & heads)
    return through or None


def _head(func: ast.AST) -> str | None:
    """The name a called dotted name starts with (`engine` of `engine.connect`); None
    for `sessionmaker(...)()`."""
    while isinstance(func, ast.Attribute):
        func = func.value
    return func.id if isinstance(func, ast.Name) else None


def _module_level_calls(tree: ast.Module) -> set[str]:
    """Names the module binds to a call's result at its top level (a sessionmaker may be
    called anything)."""
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _may_open(func: ast.AST) -> bool:
    if isinstance(func, ast.Call):  # sessionmaker(...)()
        return _may_open(func.func)
    name = called_name(func)
    return bool(name) and bool(_CALLED.search(name))
