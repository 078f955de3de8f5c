"""Writes that may reach a loop's item through another name.

`changed_inside` follows writes through the item's own name (`entry["id"] = ...`). The
loop may also hand the item to another name or store it in a container and write
through that:

    for mention in mentions:
        entry = mention
        entry["user_id"] = entry["author_id"]        # mention["user_id"] changed

    for entry in entries:
        seen.append(entry)
        seen[-1]["id"] = 7                            # entry["id"] changed

Which object a subscript or attribute write lands on is not followed here: once the
item may be held by another name or a container, any such write in the loop body, and
any call that is not a read on a name holding it, counts as a change.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import walk

_READS = {"get", "keys", "values", "items", "count", "index"}
_STORING_METHODS = {"append", "add", "extend", "insert", "appendleft", "setdefault"}
_COMPARING = (cst.Comparison, cst.UnaryOperation)
# Builtins whose result is never the object they read.
_READING_BUILTINS = {"len", "str", "repr", "bool", "isinstance", "id", "hash", "int"}


def changed_through_alias(name: str, body: cst.CSTNode, depth: int) -> str | None:
    """How `body` may change the object `name` holds (or, `depth` 1, an item of it)
    through another name: it is bound to another name or stored, and the body writes
    into something by subscript or attribute, or calls a method that is not a read on
    a name that holds it."""
    holders = _holders(name, body, depth)
    if not holders:
        return None
    for node in walk(body, into_scopes=True):
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign, cst.Del)):
            if _writes_into(node.target):
                return "it is held by another name, and the loop writes into an object"
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            root = _root(node.func.value)
            if (
                root in holders
                and node.func.attr.value not in _READS | _STORING_METHODS
            ):
                return f"it is held by `{root}`, and the loop calls a method on it"
    return None


def _holders(name: str, body: cst.CSTNode, depth: int) -> set[str]:
    """The names other than `name` the body may make hold the object: bound to it, or
    to a container or copy holding it, or a container it is stored into."""
    holders: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node in walk(body, into_scopes=True):
            for target, value in _bindings(node):
                if not _may_hold(value, name, depth, holders):
                    continue
                for found in _target_roots(target) - holders - {name}:
                    holders.add(found)
                    changed = True
    return holders


def _bindings(node: cst.CSTNode):
    """(target, value) pairs of what `node` binds or stores."""
    if isinstance(node, cst.Assign):
        for target in node.targets:
            yield target.target, node.value
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) and node.value is not None:
        yield node.target, node.value
    elif isinstance(node, cst.NamedExpr):
        yield node.target, node.value
    elif isinstance(node, (cst.For, cst.CompFor)):
        yield node.target, node.iter
    elif isinstance(node, cst.WithItem) and node.asname is not None:
        yield node.asname.name, node.item
    elif (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _STORING_METHODS
    ):
        for arg in node.args:
            yield node.func.value, arg.value


def _target_roots(target: cst.BaseExpression) -> set[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        roots: set[str] = set()
        for element in target.elements:
            roots |= _target_roots(element.value)
        return roots
    if isinstance(target, cst.StarredElement):
        return _target_roots(target.value)
    root = _root(target)
    return {root} if root is not None else set()


def _root(expr: cst.BaseExpression) -> str | None:
    """`seen` of `seen[-1]`, `seen.items`, `seen.get(k)`."""
    while isinstance(expr, (cst.Subscript, cst.Attribute, cst.Call)):
        expr = expr.func if isinstance(expr, cst.Call) else expr.value
    return expr.value if isinstance(expr, cst.Name) else None


def _may_hold(expr: cst.CSTNode, name: str, depth: int, holders: set[str]) -> bool:
    """May the value of `expr` be, or hold, the object (a field read of it is not)?"""
    if isinstance(expr, cst.Name):
        return expr.value == name or expr.value in holders
    if isinstance(expr, (cst.Subscript, cst.Attribute)):
        steps, base = 0, expr
        while isinstance(base, (cst.Subscript, cst.Attribute)):
            base, steps = base.value, steps + 1
        if isinstance(base, cst.Name):
            if base.value == name:
                return steps <= depth
            return base.value in holders
        return _may_hold(base, name, depth, holders)
    if isinstance(expr, _COMPARING):
        return False
    if isinstance(expr, cst.Call) and (
        isinstance(expr.func, cst.Name) and expr.func.value in _READING_BUILTINS
    ):
        return False
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value == "get"
        and isinstance(expr.func.value, cst.Name)
        and expr.func.value.value == name
        and depth == 0
    ):  # `entry.get("id")`: a field of the item
        return any(_may_hold(arg.value, name, depth, holders) for arg in expr.args)
    return any(
        _may_hold(child, name, depth, holders)
        for child in expr.children
        if isinstance(child, cst.CSTNode)
    )


def _writes_into(target: cst.BaseExpression) -> bool:
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        return True
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_writes_into(element.value) for element in target.elements)
    if isinstance(target, cst.StarredElement):
        return _writes_into(target.value)
    return False
