"""Spell generated collections as a person would: no `list()` around an expression that
already builds a new list, no comprehension that only copies (`[x for x in xs]`)."""

from __future__ import annotations

import libcst as cst

_BUILDS_A_LIST = {"list", "sorted"}


def builds_a_list(node: cst.BaseExpression) -> bool:
    """A list literal, a list comprehension, `list(...)`/`sorted(...)`, or a query's
    `.all()`: a new list, evaluated once, that no one else holds."""
    if isinstance(node, (cst.List, cst.ListComp)):
        return True
    if not isinstance(node, cst.Call):
        return False
    if isinstance(node.func, cst.Name):
        return node.func.value in _BUILDS_A_LIST
    # `query.all()`, `result.scalars().all()`: SQLAlchemy returns a new list
    return (
        isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "all"
        and not node.args
    )


def as_list(node: cst.BaseExpression, code: str) -> str:
    """`code` (of `node`) as a new list: itself when it already is one, else `list(code)`."""
    return code if builds_a_list(node) else f"list({code})"


def is_identity(
    element: cst.BaseExpression | str, target: cst.BaseExpression | str
) -> bool:
    """`[x for x in xs]`: the element is the loop target itself, a single name."""
    element_name = (
        element if isinstance(element, str) else getattr(element, "value", None)
    )
    target_name = target if isinstance(target, str) else getattr(target, "value", None)
    if isinstance(element, cst.CSTNode) and not isinstance(element, cst.Name):
        return False
    if isinstance(target, cst.CSTNode) and not isinstance(target, cst.Name):
        return False
    return (
        bool(element_name)
        and element_name == target_name
        and str(element_name).isidentifier()
    )
