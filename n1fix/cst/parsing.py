"""Parse source text into a LibCST module without validating every node the parser built.

Each LibCST node checks its own fields when it is constructed (`CSTNode.__post_init__`
calls `_validate`: a parenthesis closed, whitespace where a keyword needs it). That
check is for trees code builds by hand; the parser only builds nodes for text it has
just read as valid Python, and the check cost about a quarter of parsing (a third of a
cold scan is LibCST's parse of the files the gates let through). LibCST's own comment
on `__post_init__` names this: validation could be skipped when parsing a file.

Nodes a codemod constructs afterwards are validated as always: validation is off only
while `parse_module` runs, in this thread's process (n1fix parses in one thread).
"""

from __future__ import annotations

import functools

import libcst as cst
from libcst._nodes.base import CSTNode


def _no_validation(self: CSTNode) -> None:
    pass


def parse_module(
    text: str, config: cst.PartialParserConfig | None = None
) -> cst.Module:
    """`libcst.parse_module(text)`, the same tree, built without per-node validation."""
    validate = CSTNode.__dict__["__post_init__"]
    CSTNode.__post_init__ = _no_validation
    try:
        if config is None:
            return cst.parse_module(text)
        return cst.parse_module(text, config=config)
    finally:
        CSTNode.__post_init__ = validate


@functools.lru_cache(maxsize=8)
def parsed(text: str) -> cst.Module:
    """`parse_module(text)`, one tree for the same text while it is among the last few
    asked for (a module is immutable, so every reader may share it). Planning a batch
    method reads the callee's module several times, and many callees share a module
    (open-webui: 44 plans, 17 modules)."""
    return parse_module(text)
