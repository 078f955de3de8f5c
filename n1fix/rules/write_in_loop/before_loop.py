"""What runs between the query that loads a loop's rows and the loop itself.

    tags = session.query(Tag).filter(...).all()   # the rows are loaded here
    session.add(Obj(tag_id=tags[0].id))           # <- between
    for tag in tags:
        session.delete(tag)

A loader option added to the query loads the rows' collections when the query runs;
without it each one loads inside the loop. What runs in between may change what those
loads see (a write, autoflushed before each load in the loop) or drop what the option
loaded (a commit or rollback expires it). Nothing is shown harmless but a few builtin
and logging calls, reads of names and attributes, and assignments to plain names.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk

# Called on anything, these expire (or drop) every object the session holds.
_EXPIRING = {"commit", "rollback", "expire_all", "expunge_all", "close", "reset"}
# Builtins that call no project code on a loaded row that matters here.
_HARMLESS = {
    "len",
    "print",
    "isinstance",
    "str",
    "int",
    "bool",
    "repr",
    "list",
    "tuple",
    "set",
    "sorted",
    "any",
    "all",
    "enumerate",
    "zip",
    "range",
    "min",
    "max",
}
_BETWEEN = "runs between the rows' query and the loop"
_UNPLACED = "n1fix cannot tell what runs between the rows' query and the loop"
_LOGGERS = {"logger", "log", "logging", "LOGGER", "LOG", "_logger", "_log"}
_LOG_LEVELS = {"debug", "info", "warning", "warn", "error", "exception", "critical"}


@dataclass(frozen=True)
class Between:
    """What runs between the rows' query and the loop that n1fix cannot show harmless,
    said as a clause; `expires` when it visibly expires the session's objects."""

    what: str
    expires: bool


def between_query_and_loop(
    ctx, loop: cst.For, ancestry, value: cst.BaseExpression
) -> Between | None:
    """The first thing run between the statement binding `value` (the rows) and `loop`
    that may touch the session (None: nothing does). Code n1fix cannot place (the rows
    bound in another branch, the loop inside a `with` or another loop) counts."""
    pieces = _pieces_between(ancestry, loop, value)
    if pieces is None:
        return Between(_UNPLACED, False)
    touches = [found for piece in pieces for found in _touches(ctx, piece)]
    expiring = next((found for found in touches if found.expires), None)
    return expiring or (touches[0] if touches else None)


def _pieces_between(ancestry, loop, value) -> list[cst.CSTNode] | None:
    """The statements and expressions run after the binding of `value` and before
    `loop`, or None when they cannot be told."""
    path = [*ancestry] if ancestry and ancestry[-1] is loop else [*ancestry, loop]
    pieces: list[cst.CSTNode] = []
    for depth in range(len(path) - 1, 0, -1):
        node, parent = path[depth], path[depth - 1]
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return None
        if isinstance(parent, (cst.IndentedBlock, cst.Module)):
            index = next(i for i, s in enumerate(parent.body) if s is node)
            for earlier in range(index - 1, -1, -1):
                statement = parent.body[earlier]
                if not _holds(statement, value):
                    continue
                rest = _after_binding(statement, value)
                if rest is None:
                    return None
                return [*rest, *parent.body[earlier + 1 : index], *pieces]
            pieces[:0] = parent.body[:index]
        elif isinstance(parent, cst.If) and parent.body is node:
            pieces.insert(0, parent.test)
        elif isinstance(parent, cst.Try) and parent.body is node:
            continue
        else:
            return None  # an `else`, a `with`'s enter, a loop's earlier turns
    return None


def _after_binding(statement, value) -> list[cst.CSTNode] | None:
    """The small statements of the binding's line after the binding (`rows = q.all();
    session.commit()`); None when the binding sits inside a compound statement."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return None
    index = next(i for i, small in enumerate(statement.body) if _holds(small, value))
    return list(statement.body[index + 1 :])


def _holds(node: cst.CSTNode, value: cst.CSTNode) -> bool:
    return any(inner is value for inner in walk(node))


def _touches(ctx, piece: cst.CSTNode) -> list[Between]:
    found = []
    raised = {
        id(inner)
        for node in walk(piece)
        if isinstance(node, cst.Raise)
        for inner in walk(node)
    }
    for node in walk(piece):
        if id(node) in raised:
            continue  # the loop does not run after it
        if isinstance(node, cst.Call) and not _harmless(ctx, node):
            name = dotted_name(node.func) or ""
            found.append(
                Between(
                    f"`{ctx.code(node)}` {_BETWEEN}",
                    name.rpartition(".")[2] in _EXPIRING,
                )
            )
        elif isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            target = node.target
            if not _names_only(target):
                found.append(
                    Between(f"an assignment to `{ctx.code(target)}` {_BETWEEN}", False)
                )
        elif isinstance(node, cst.Del) and not isinstance(node.target, cst.Name):
            found.append(Between(f"`del {ctx.code(node.target)}` {_BETWEEN}", False))
        elif isinstance(node, (cst.With, cst.For, cst.While)):
            found.append(
                Between(f"a `{type(node).__name__.lower()}` block {_BETWEEN}", False)
            )
    return found


def _names_only(target: cst.BaseExpression) -> bool:
    """`x`, `a, b`, `[a, *rest]`: a binding of local names, not a write to an object."""
    if isinstance(target, cst.Name):
        return True
    if isinstance(target, (cst.Tuple, cst.List)):
        return all(_names_only(element.value) for element in target.elements)
    return False


def _harmless(ctx, call: cst.Call) -> bool:
    name = dotted_name(call.func)
    if name is None:
        return False
    if name in _HARMLESS:
        return ctx.imports.get(name) is None  # not a project's function of that name
    head, _, level = name.rpartition(".")
    return level in _LOG_LEVELS and head.rpartition(".")[2] in _LOGGERS
