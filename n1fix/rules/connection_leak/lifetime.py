"""What a function does with the session or connection it opened into a local name.

Every read of the name is one of:
- a use: a method call on it (`session.execute(...)`), an attribute read or set
  (`conn.row_factory = ...`), a test (`if conn`, `conn is None`), `with session.begin():`;
- a close: `close()` on it (`await` included), `pool.release(conn)`, `with conn:` for the
  objects whose `__exit__` closes them, `with closing(conn):`;
- an escape: anything else hands the object on (returned, yielded, stored on `self` or
  in a container, passed to a call, aliased, captured by a nested function, declared
  `global`): its lifetime is then not the function's, and it is none of this rule's
  business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import SCOPES, names_read, target_names, walk
from n1fix.rules.connection_leak.openers import (
    ACQUIRE,
    ANY,
    ASYNC_CONNECTION,
    ASYNC_SESSION,
    CONNECTION,
    DBAPI,
    SESSION,
    Opener,
)

CLOSE_METHODS = frozenset({"close", "invalidate", "terminate"})
# Attributes that are the close method itself: read without a call, they are handed on
# as a callback (`atexit.register(conn.close)`), which is a close somebody else runs.
_CALLBACKS = CLOSE_METHODS | {"release", "__exit__", "__aexit__"}
# Objects whose own `with` closes them (sqlite3's and psycopg 2's `with conn:` only ends
# the transaction).
_CLOSED_BY_WITH = {SESSION, ASYNC_SESSION, CONNECTION, ASYNC_CONNECTION}


@dataclass
class Lifetime:
    escape: str | None = None  # why the object's lifetime is not the function's
    closes: list[cst.CSTNode] = field(default_factory=list)
    closed_on_error: bool = False  # a close in `finally`, or in an `except` as well
    bindings: int = 0  # assignments to the name in the function


def lifetime(function: cst.FunctionDef, name: str, opened: Opener) -> Lifetime:
    found = Lifetime()
    for node, ancestry in nodes_with_ancestry(
        function.body,
        lambda n, _: True,
        frozenset({cst.Name, cst.Global, cst.Nonlocal}),
    ):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(n.name.value == name for n in node.names):
                found.escape = "declared global"
            continue
        if node.value != name:
            continue
        parent = ancestry[-1]
        if _not_a_reference(node, parent):
            continue
        if _is_binding(node, parent, ancestry):
            found.bindings += 1
            continue
        if any(isinstance(a, SCOPES) for a in ancestry):
            found.escape = "read by a nested function"
            continue
        if isinstance(parent, cst.Attribute) and parent.value is node:
            outer = ancestry[-2] if len(ancestry) > 1 else None
            method = parent.attr.value
            if isinstance(outer, cst.Call) and outer.func is parent:
                if method in CLOSE_METHODS:
                    _note_close(found, outer, ancestry)
                continue
            if method in _CALLBACKS:
                found.escape = f"`{name}.{method}` is handed on"
            continue
        if isinstance(parent, cst.Arg):
            call = ancestry[-2]
            if _releases(call, opened):
                _note_close(found, call, ancestry)
                continue
            if _closing_in_with(call, ancestry):
                _note_close(found, call, ancestry)
                continue
            found.escape = "passed to a call"
            continue
        if isinstance(parent, cst.WithItem) and parent.item is node:
            if opened.kind in _CLOSED_BY_WITH or (
                opened.kind == DBAPI and opened.driver == "psycopg"
            ):
                _note_close(found, parent, ancestry)
            continue
        if _is_test(node, parent):
            continue
        found.escape = "handed on"
    return found


def _not_a_reference(node: cst.Name, parent: cst.CSTNode) -> bool:
    """The name of an attribute, a keyword, a parameter or a definition."""
    return (
        (isinstance(parent, cst.Attribute) and parent.attr is node)
        or (isinstance(parent, cst.Arg) and parent.keyword is node)
        or isinstance(parent, (cst.Param, cst.ImportAlias))
        or (isinstance(parent, (cst.FunctionDef, cst.ClassDef)) and parent.name is node)
    )


def _is_binding(node: cst.Name, parent: cst.CSTNode, ancestry) -> bool:
    for holder in reversed(ancestry):
        if isinstance(holder, cst.AssignTarget):
            return node.value in target_names(holder.target) and _in_target(
                holder.target, node
            )
        if isinstance(holder, (cst.AnnAssign, cst.AugAssign)):
            return holder.target is node
        if isinstance(holder, (cst.For, cst.CompFor)):
            return _in_target(holder.target, node)
        if isinstance(holder, cst.AsName):
            return holder.name is node
        if isinstance(holder, cst.NamedExpr):
            return holder.target is node
        if isinstance(holder, (cst.BaseSmallStatement, cst.BaseCompoundStatement)):
            return False
    return False


def _in_target(target: cst.CSTNode, node: cst.Name) -> bool:
    return target is node or any(n is node for n in walk(target))


def _note_close(found: Lifetime, closing: cst.CSTNode, ancestry) -> None:
    found.closes.append(closing)
    if any(isinstance(a, (cst.Finally, cst.ExceptHandler)) for a in ancestry):
        found.closed_on_error = True
    if any(isinstance(a, (cst.With)) for a in ancestry) and isinstance(
        closing, (cst.WithItem, cst.Call)
    ):
        # `with conn:` / `with closing(conn):` closes on every way out of its body
        found.closed_on_error = found.closed_on_error or _is_with_item(
            closing, ancestry
        )


def _is_with_item(closing: cst.CSTNode, ancestry) -> bool:
    return isinstance(closing, cst.WithItem) or any(
        isinstance(a, cst.WithItem) and a.item is closing for a in ancestry
    )


def _releases(call: cst.CSTNode, opened: Opener) -> bool:
    """`pool.release(conn)` for a connection acquired from `pool`."""
    return (
        opened.kind in (ACQUIRE, ANY)
        and isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "release"
        and isinstance(call.func.value, cst.Name)
        and (opened.kind == ANY or call.func.value.value == opened.source)
    )


def _closing_in_with(call: cst.CSTNode, ancestry) -> bool:
    """`with closing(conn):` (contextlib's, by name)."""
    if not isinstance(call, cst.Call):
        return False
    name = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
    name = name or (call.func.value if isinstance(call.func, cst.Name) else None)
    return name in ("closing", "aclosing") and _is_with_item(call, ancestry)


def _is_test(node: cst.Name, parent: cst.CSTNode) -> bool:
    if isinstance(parent, (cst.If, cst.While, cst.IfExp)) and parent.test is node:
        return True
    if isinstance(parent, cst.BooleanOperation):
        return True
    if isinstance(parent, cst.UnaryOperation) and isinstance(parent.operator, cst.Not):
        return True
    if isinstance(parent, cst.Comparison):
        return all(
            isinstance(c.operator, (cst.Is, cst.IsNot)) for c in parent.comparisons
        )
    if isinstance(parent, cst.ComparisonTarget):
        return isinstance(parent.operator, (cst.Is, cst.IsNot))
    if isinstance(parent, cst.Assert):
        return parent.test is node
    return False


def tainted_names(function: cst.FunctionDef, name: str) -> set[str]:
    """The local names that may hold something read through the object (a result, a
    row, an ORM instance), the object's name included: a statement that reads one binds
    its targets to one, and a method call that passes one marks its receiver
    (`rows.append(row)`)."""
    tainted = {name}
    statements = [
        s
        for s in walk(function.body)
        if isinstance(s, (cst.BaseSmallStatement, cst.For, cst.With, cst.NamedExpr))
    ]
    changed = True
    while changed:
        changed = False
        for statement in statements:
            new = _bound_from(statement, tainted) - tainted
            if new:
                tainted |= new
                changed = True
    return tainted


def _bound_from(statement: cst.CSTNode, tainted: set[str]) -> set[str]:
    if isinstance(statement, cst.Assign):
        if names_read(statement.value) & tainted:
            return set().union(*(_target_heads(t.target) for t in statement.targets))
    elif isinstance(statement, (cst.AnnAssign, cst.AugAssign)):
        if statement.value is not None and names_read(statement.value) & tainted:
            return _target_heads(statement.target)
    elif isinstance(statement, cst.For):
        if names_read(statement.iter) & tainted:
            return _target_heads(statement.target)
    elif isinstance(statement, cst.With):
        found: set[str] = set()
        for item in statement.items:
            if item.asname is not None and names_read(item.item) & tainted:
                found |= _target_heads(item.asname.name)
        return found
    elif isinstance(statement, cst.NamedExpr):
        if names_read(statement.value) & tainted:
            return _target_heads(statement.target)
    elif isinstance(statement, cst.Expr):
        found = set()
        for call in [statement.value, *walk(statement.value)]:
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and any(names_read(a.value) & tainted for a in call.args)
            ):
                head = _head(call.func.value)
                if head:
                    found.add(head)
        return found
    return set()


def _target_heads(target: cst.CSTNode) -> set[str]:
    """The local names an assignment target binds or changes (`a`, `a, b`, `d[k]` -> d,
    `obj.x` -> obj)."""
    names = target_names(target)
    if names:
        return names
    head = _head(target)
    return {head} if head else set()


def _head(expr: cst.CSTNode) -> str | None:
    while isinstance(expr, (cst.Attribute, cst.Subscript)):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else None
