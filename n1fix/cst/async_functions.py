"""The `async def`s of a module (with the class each belongs to), and the blocks directly
below a compound statement: where the await rules look for awaits."""

from __future__ import annotations

from typing import Iterator

import libcst as cst


def async_functions(module: cst.Module) -> Iterator[tuple[cst.FunctionDef, str | None]]:
    """Every `async def` with its class's qualified name when it is a method."""
    stack: list[tuple[cst.CSTNode, str | None]] = [(module, None)]
    while stack:
        node, owner = stack.pop()
        body = (
            node.body.body
            if isinstance(node, (cst.ClassDef, cst.FunctionDef))
            else node.body
        )
        for statement in body if isinstance(body, (list, tuple)) else []:
            for inner in _definitions(statement):
                if isinstance(inner, cst.ClassDef):
                    stack.append(
                        (
                            inner,
                            f"{owner}.{inner.name.value}"
                            if owner
                            else inner.name.value,
                        )
                    )
                else:
                    if inner.asynchronous is not None:
                        yield inner, owner
                    stack.append((inner, None))


# Exact classes: none of these has a subclass (tests/test_async_functions_types.py), so
# `type(x) is C` answers as `isinstance(x, C)`, without `ABCMeta.__instancecheck__`'s
# Python-level call for every test that fails (a module's every statement is tested).
_DEFINITIONS = (cst.FunctionDef, cst.ClassDef)
_BLOCK = cst.IndentedBlock
_ELIF = cst.If
_ELSE = (cst.Else, cst.Finally)
EXACT_CLASSES = (*_DEFINITIONS, _BLOCK, _ELIF, *_ELSE)


def _definitions(statement: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Function and class definitions at the top of `statement` or nested in its blocks."""
    if type(statement) in _DEFINITIONS:
        yield statement
        return
    for block in blocks_below(statement):
        for inner in block.body:
            yield from _definitions(inner)


def blocks_below(statement: cst.CSTNode) -> Iterator[cst.IndentedBlock]:
    """The indented blocks directly below a compound statement (if/for/while/with/try/match)."""
    for name in ("body", "orelse", "finalbody"):
        part = getattr(statement, name, None)
        kind = type(part)
        if kind is _BLOCK:
            yield part
        elif kind is _ELIF:  # elif
            yield from blocks_below(part)
        elif kind in _ELSE and type(part.body) is _BLOCK:
            yield part.body
    for handler in getattr(statement, "handlers", ()) or ():
        if type(handler.body) is _BLOCK:
            yield handler.body
    for case in getattr(statement, "cases", ()) or ():
        if type(case.body) is _BLOCK:
            yield case.body
