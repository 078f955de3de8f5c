"""Whether a list shown to be built of dicts may take other items before a loop.

`entries = [{"id": i} for i in ids]` holds dicts when built; `entries.append(Row())`,
`entries[0] = row`, `entries += rows` or handing `entries` to a function may put
something else in it. Only additions that are dict displays themselves
(`entries.append({"id": 0})`) keep it a list of dicts, and handing it to a function the
caller says takes a collection of dicts (`given_to_dicts`).
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import walk

_ADDING = {"append", "insert", "extend", "add", "appendleft", "extendleft"}
_READING = {"get", "keys", "values", "items", "count", "index", "copy"}
# Builtins that read a list (or copy it) without changing it.
_READING_BUILTINS = {
    "len",
    "bool",
    "str",
    "repr",
    "id",
    "hash",
    "isinstance",
    "print",
    "list",
    "tuple",
    "sorted",
    "reversed",
    "enumerate",
    "iter",
    "zip",
}


def may_gain_other_items(name: str, ancestry, given_to_dicts=None) -> bool:
    """Does the scope holding the loop (its function, or the module) do anything with
    `name` that may put an item other than a dict display into it? `given_to_dicts(call,
    position, ancestry)` says a call's argument at `position` is declared to hold dicts."""
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    scope = function if function is not None else ancestry[0]
    for node in walk(scope, into_scopes=True):
        if isinstance(node, cst.Call):
            if _adds_other_items(node, name) and not (
                given_to_dicts is not None
                and _only_given_to_dicts(node, name, ancestry, given_to_dicts)
            ):
                return True
        elif isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            target = node.target
            if isinstance(node, cst.AugAssign) and _is(target, name):
                return True
            if isinstance(target, cst.Subscript) and _is(target.value, name):
                return True
    return False


def _adds_other_items(call: cst.Call, name: str) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute) and _is(func.value, name):
        method = func.attr.value
        if method in _READING:
            return False
        if method in {"append", "add", "appendleft"}:
            return not all(_is_dict(arg.value) for arg in call.args[-1:])
        if method == "insert":
            return not all(_is_dict(arg.value) for arg in call.args[1:])
        return True  # extend, `__setitem__`, anything else
    if isinstance(func, cst.Name) and func.value in _READING_BUILTINS:
        return False
    return any(_is(arg.value, name) for arg in call.args)


def _only_given_to_dicts(call: cst.Call, name: str, ancestry, given_to_dicts) -> bool:
    """A call that only hands `name` over, each time as an argument declared to hold
    dicts (not a method of it)."""
    if isinstance(call.func, cst.Attribute) and _is(call.func.value, name):
        return False
    positions = [i for i, arg in enumerate(call.args) if _is(arg.value, name)]
    return bool(positions) and all(
        given_to_dicts(call, position, ancestry) for position in positions
    )


def _is(expr: cst.BaseExpression, name: str) -> bool:
    return isinstance(expr, cst.Name) and expr.value == name


def _is_dict(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, (cst.Dict, cst.DictComp))
