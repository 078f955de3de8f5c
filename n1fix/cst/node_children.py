"""The syntactic children of a LibCST node, which every walk of the rules reads."""

from __future__ import annotations

import dataclasses
from typing import Iterator

import libcst as cst

# Fields that only ever hold whitespace, punctuation or operators: never worth a visit.
_SKIPPED_FIELD_PREFIXES = (
    "whitespace",
    "lpar",
    "rpar",
    "leading_lines",
    "lines_after_decorators",
    "header",
    "footer",
    "comma",
    "semicolon",
    "newline",
    "colon",
    "equal",
    "dot",
    "star",
    "operator",
    "trailing_whitespace",
    "first_line",
    "empty_lines",
    "lbrace",
    "rbrace",
    "lbracket",
    "rbracket",
    "between",
    "asynchronous",
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# `isinstance` against LibCST's node classes goes through `ABCMeta.__instancecheck__`
# (a Python-level call); the walks ask it millions of times, so it is asked once per type.
_IS_NODE: dict[type, bool] = {}


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The syntactic children of a node, skipping whitespace and punctuation.

    About three times faster than LibCST's `children` or a `CSTVisitor`, which rebuild
    every node they pass; rules walk whole files, so this matters.
    """
    return iter(child_list(node))


def child_list(node: cst.CSTNode) -> list[cst.CSTNode]:
    """`children(node)` as a list."""
    kind = type(node)
    names = _CHILD_FIELDS.get(kind)
    if names is None:
        names = _CHILD_FIELDS[kind] = tuple(
            f.name
            for f in dataclasses.fields(node)
            if not f.name.startswith(_SKIPPED_FIELD_PREFIXES)
        )
    found = []
    is_node_kind = _IS_NODE
    for name in names:
        value = getattr(node, name)
        kind = type(value)
        is_node = is_node_kind.get(kind)
        if is_node is None:
            is_node = is_node_kind[kind] = issubclass(kind, cst.CSTNode)
        if is_node:
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                kind = type(item)
                is_node = is_node_kind.get(kind)
                if is_node is None:
                    is_node = is_node_kind[kind] = issubclass(kind, cst.CSTNode)
                if is_node:
                    found.append(item)
    return found
