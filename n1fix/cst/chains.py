"""Name and call chains: `a.b.c` as a dotted name, `base.m1(..).m2(..)` as its method calls."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst


@dataclass
class MethodCall:
    name: str
    call: cst.Call


def dotted_name(node: cst.CSTNode) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def unwind(
    node: cst.BaseExpression,
) -> tuple[cst.BaseExpression, list[MethodCall], bool]:
    """Split `base.m1(..).m2(..)` into (base, [m1, m2], saw_await), looking through await."""
    calls: list[MethodCall] = []
    is_async = False
    current = node
    while True:
        if isinstance(current, cst.Await):
            is_async = True
            current = current.expression
            continue
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            calls.append(MethodCall(current.func.attr.value, current))
            current = current.func.value
            continue
        break
    calls.reverse()
    return current, calls, is_async
