"""Nodes found with the path down to them: the one walk rules use to find what they
check and the statements, loops and scopes that enclose it."""

from __future__ import annotations

from typing import Callable

import libcst as cst

from n1fix.cst.syntax import children
from n1fix.cst.tree_index import indexed


def nodes_with_ancestry(
    root: cst.CSTNode,
    wanted: Callable[[cst.CSTNode, list[cst.CSTNode]], bool],
    kinds: frozenset[type] | None = None,
) -> list[tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """Every node below `root` (itself included) for which `wanted(node, ancestry)` holds,
    in source order, each with its ancestry: `root` first, down to the node's parent
    (`wanted` sees the walk's own list: it must not keep or change it). With `kinds`
    (exact classes), `wanted` is asked only about nodes of those classes."""
    found_in_index = indexed(root)
    if found_in_index is not None:
        index, at = found_in_index
        return index.with_ancestry(at, wanted, kinds)
    if kinds is not None:
        return _with_ancestry(root, lambda n, a: type(n) in kinds and wanted(n, a))
    return _with_ancestry(root, wanted)


def _with_ancestry(root, wanted):
    found = []
    ancestry: list[cst.CSTNode] = []
    stack: list[cst.CSTNode | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # every node's children are done: leave it
            ancestry.pop()
            continue
        if wanted(node, ancestry):
            found.append((node, list(ancestry)))
        ancestry.append(node)
        stack.append(None)
        below = list(children(node))
        below.reverse()
        stack.extend(below)
    return found
