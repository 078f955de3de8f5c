"""Where a run of awaits must be cut, read with `ast` for sequential-awaits' gate.

`gather_groups.split` puts an await in the group before it only when nothing keeps them
apart (`_conflict`), and what keeps two calls apart keeps apart any groups holding them.
So two neighbouring awaits of a run that certainly conflict are never in one group, and
the run's groups lie within the segments between such pairs. Certain, from the two
statements alone (a subset of what `_conflict` sees):

- both use the same name that reads like a session, passed (`session=session`) or as
  the receiver of a session method (`session.execute(q)`): `describe` keys
  `AwaitedCall.sessions` by it (`CallerScope.is_session`, `_direct`), so they share it;
- either calls a session's write method (`await session.flush()`): `_direct` makes it a
  write, which no group holds with another call;
- the second reads the name the first assigns (`b = await g(a.id)` after `a = ...`), or
  assigns it again: `AwaitedCall.reads` (`all_names`) holds every name used in the
  call, and the targets are single names in both readings.

No LibCST here.
"""

from __future__ import annotations

import ast
from itertools import pairwise

from n1fix.analysis.ast_awaits import (
    READ_METHODS,
    SESSION_NAME,
    WRITE_METHODS,
    _callee_path,
    passed_arguments,
)
from n1fix.analysis.http_methods import REQUEST_METHODS
from n1fix.cst.astwalk import ast_dotted_name, nodes_of, nodes_within

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Session methods `await_calls._session_method` takes whatever the arguments, and which
# no HTTP client's request (`request_of`, tried first) can be.
_DIRECT_METHODS = (
    (READ_METHODS | WRITE_METHODS)
    - REQUEST_METHODS
    - {
        "get",
        "delete",
        "refresh",
        "merge",
        "add",
        "query",
    }
)
# Taken as session methods when given one object (`_session_method`).
_ONE_OBJECT = frozenset({"refresh", "merge", "add"})


def split_at_conflicts(run: list[tuple[ast.stmt, ast.Call]]) -> list[list]:
    """The run's (statement, awaited call) pairs, cut between neighbours that certainly
    conflict."""
    segments = [[run[0]]]
    for earlier, later in pairwise(run):
        if _conflict(earlier, later):
            segments.append([later])
        else:
            segments[-1].append(later)
    return segments


def _conflict(earlier: tuple[ast.stmt, ast.Call], later: tuple[ast.stmt, ast.Call]):
    first, second = _direct(earlier[1]), _direct(later[1])
    if (first and first[1]) or (second and second[1]):
        return True
    sessions = _sessions_passed(earlier[1]) | ({first[0]} if first else set())
    if not sessions.isdisjoint(_sessions_passed(later[1])) or (
        second and second[0] in sessions
    ):
        return True
    target = _target(earlier[0])
    return target is not None and (
        target == _target(later[0]) or target in _names_read(later[1])
    )


def _direct(call: ast.Call) -> tuple[str, bool] | None:
    """(the session, whether it writes) for a session method called on a name that
    reads like a session."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr in _ONE_OBJECT:
        # session.refresh(obj), not sa.delete(Model)
        if not (
            len(call.args) == 1
            and not call.keywords
            and not isinstance(call.args[0], ast.Starred)
            and not _class_like(call.args[0])
        ):
            return None
    elif func.attr not in _DIRECT_METHODS:
        return None
    receiver = ast_dotted_name(func.value)
    if receiver is None or not SESSION_NAME.search(receiver.rpartition(".")[2]):
        return None
    return receiver, func.attr not in READ_METHODS


def _class_like(expr: ast.AST) -> bool:
    name = ast_dotted_name(expr)
    last = name.rpartition(".")[2] if name else ""
    return last[:1].isupper() and not last.isupper()


def _sessions_passed(call: ast.Call) -> set[str]:
    found = set()
    for arg in passed_arguments(call):
        name = ast_dotted_name(arg)
        if name is not None and SESSION_NAME.search(name.rpartition(".")[2]):
            found.add(name)
    return found


def _target(statement: ast.stmt) -> str | None:
    """The one name a statement assigns, as `await_calls.awaited_statement` reads it."""
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    return None


def _names_read(call: ast.Call) -> set[str]:
    """Names used in the call; none when it holds a comprehension (whose own loop
    variables `all_names` leaves out)."""
    names = set()
    for node in ast.walk(call):
        if isinstance(node, _COMPREHENSIONS):
            return set()
        if isinstance(node, ast.Name):
            names.add(node.id)
    return names


def imported_last_names(tree: ast.Module) -> list[str]:
    """Every name an import of the file may resolve to the last part of (`is_factory`
    matches a sessionmaker by its qualified name's last parts)."""
    names: set[str] = set()
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.ImportFrom):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names.update(alias.name.split("."))
    return sorted(names)


def heads_qualified_elsewhere(
    tree: ast.Module, function: ast.AsyncFunctionDef
) -> set[str]:
    """Names whose `qualify` depends on more than the call: those an import binds
    (`imports[head]`) and the first parameter (`self`, `cls`: the owner) of the function
    and of every function inside it (its blocks are read with it)."""
    heads: set[str] = set()
    for node in nodes_of(tree, ast.Import, ast.ImportFrom):
        if isinstance(node, ast.Import):
            heads.update(a.asname or a.name.partition(".")[0] for a in node.names)
        else:
            heads.update(a.asname or a.name for a in node.names)
    inner = nodes_within(tree, function, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in [function, *inner]:
        params = [*node.args.posonlyargs, *node.args.args]
        if params:
            heads.add(params[0].arg)
    return heads


def callee_suffix(call: ast.Call, heads: set[str]) -> str | None:
    """`client.read_flow` for a call of `client.read_flow(...)` whose callee the
    session-use index can only resolve to a function whose qualified name ends with
    those two names: `CallerScope.qualify` puts the module (or for `a.b.m`, whatever
    `a` is) before them, and `SessionUseIndex.resolve` matches the whole name or its
    last two or three parts. None when the head's qualification is not known here."""
    path = ast_dotted_name(_callee_path(call.func))
    if path is None or "." not in path:
        return None
    parts = path.split(".")
    if len(parts) == 2 and parts[0] in heads:
        return None
    return ".".join(parts[-2:])


# The last session-use index asked about, and its functions' last two names.
_PAIRS: tuple[object, set[str]] | None = None


def indexed_suffixes(index) -> set[str]:
    """`Class.method` / `module.function`: the last two names of every function of a
    session-use index."""
    global _PAIRS
    if index is None:
        return set()
    if _PAIRS is None or _PAIRS[0] is not index:
        _PAIRS = (
            index,
            {".".join(name.split(".")[-2:]) for name in index.functions},
        )
    return _PAIRS[1]
