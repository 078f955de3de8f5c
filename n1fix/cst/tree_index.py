"""One walk of the module being checked, read by every later walk of its nodes.

The rules ask many questions of the same functions, loop bodies and module (which names
a body binds, which calls it makes, what encloses a query), and each used to walk the
subtree again: on a checked file the walks added up to a fifth of the check, most of it
`syntax.children` reading fields node by node. Here the module is walked once, in the
order `syntax.walk` visits (pre-order, fields in order), keeping every node's number and
where its subtree ends; a later walk of any of its subtrees is then a few slices of one
list. LibCST nodes are immutable, so a subtree reads the same from any tree that shares
it; the index keeps its module alive, so a node whose id it numbers is that node.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from typing import Iterator

import libcst as cst

from n1fix.cst.node_children import child_list

_SCOPES = frozenset({cst.FunctionDef, cst.Lambda, cst.ClassDef})


class TreeIndex:
    """The nodes of a tree in pre-order, each with the end of its subtree."""

    def __init__(self, root: cst.CSTNode) -> None:
        nodes: list[cst.CSTNode] = []
        ends: list[int] = []
        parents: list[int] = []
        owners: list[int] = []  # the innermost scope strictly around each node, or -1
        by_kind: dict[type, list[int]] = {}
        number: dict[int, int] = {}
        scopes: list[int] = []
        # The nodes whose subtree is being read, and the scope their children are in.
        open_nodes: list[int] = [-1]
        open_scopes: list[int] = [-1]
        stack: list = [root]
        push, pop = stack.append, stack.pop
        while stack:
            node = pop()
            if type(node) is int:  # every node below the one numbered `node` is done
                ends[node] = len(nodes)
                open_nodes.pop()
                open_scopes.pop()
                continue
            at = len(nodes)
            nodes.append(node)
            parents.append(open_nodes[-1])
            owner = open_scopes[-1]
            owners.append(owner)
            kind = type(node)
            found = by_kind.get(kind)
            if found is None:
                by_kind[kind] = [at]
            else:
                found.append(at)
            number[id(node)] = at
            if kind in _SCOPES:
                scopes.append(at)
                owner = at
            below = child_list(node)
            if not below:
                ends.append(at + 1)
                continue
            ends.append(0)
            open_nodes.append(at)
            open_scopes.append(owner)
            push(at)
            below.reverse()
            stack.extend(below)
        self.root = root
        self.nodes = nodes
        self.ends = ends
        self.number = number
        self._parents = parents
        self._owners = owners
        self._by_kind = by_kind
        self._scopes = scopes

    @functools.cached_property
    def depth(self) -> int:
        """How many nodes deep the tree is: its longest chain from the root to a leaf
        (among the nodes the index holds)."""
        depths = [0] * len(self.nodes)
        for number, parent in enumerate(self._parents):
            if parent >= 0:
                depths[number] = depths[parent] + 1
        return max(depths, default=0) + 1

    def below(self, at: int, into_scopes: bool) -> list[cst.CSTNode]:
        """What `syntax.walk` yields for the node numbered `at`: its subtree without
        itself, without the insides of nested functions, classes and lambdas unless
        `into_scopes`."""
        nodes, end = self.nodes, self.ends[at]
        if into_scopes:
            return nodes[at + 1 : end]
        scopes, ends = self._scopes, self.ends
        found: list[cst.CSTNode] = []
        start = at + 1
        position = bisect_left(scopes, start)
        while position < len(scopes) and scopes[position] < end:
            scope = scopes[position]
            found += nodes[start : scope + 1]  # the scope itself, not its inside
            start = ends[scope]
            position = bisect_left(scopes, start, position)
        found += nodes[start:end]
        return found

    def kinds_below(
        self, at: int, kinds: frozenset[type], into_scopes: bool, itself: bool = False
    ) -> list[int]:
        """The numbers of the nodes of `kinds` among `below(at, into_scopes)` (and the
        node `at` itself when `itself`), in that order."""
        first, end = (at if itself else at + 1), self.ends[at]
        found: list[int] = []
        for kind in kinds:
            numbers = self._by_kind.get(kind)
            if numbers:
                found += numbers[
                    bisect_left(numbers, first) : bisect_left(numbers, end)
                ]
        if not into_scopes:
            owners = self._owners
            # Below a nested scope of `at` exactly when the innermost scope around it
            # comes after `at`.
            found = [number for number in found if number == at or owners[number] <= at]
        found.sort()
        return found

    def ancestry(self, at: int, number: int) -> list[cst.CSTNode]:
        """The nodes from the one numbered `at` down to the parent of the one numbered
        `number`, which lies below it."""
        nodes, parents = self.nodes, self._parents
        found = []
        while number != at:
            number = parents[number]
            found.append(nodes[number])
        found.reverse()
        return found

    def with_ancestry(
        self, at: int, wanted, kinds: frozenset[type] | None
    ) -> list[tuple[cst.CSTNode, list[cst.CSTNode]]]:
        """`ancestry.nodes_with_ancestry` for the node numbered `at`."""
        nodes, ends = self.nodes, self.ends
        if kinds is not None:
            found = []
            for number in self.kinds_below(at, kinds, True, itself=True):
                ancestry = self.ancestry(at, number)
                if wanted(nodes[number], ancestry):
                    found.append((nodes[number], ancestry))
            return found
        found = []
        ancestry: list[cst.CSTNode] = []
        stops: list[int] = []  # where the subtree of each node of `ancestry` ends
        for position in range(at, ends[at]):
            while stops and position >= stops[-1]:
                stops.pop()
                ancestry.pop()
            node = nodes[position]
            if wanted(node, ancestry):
                found.append((node, list(ancestry)))
            stop = ends[position]
            if stop > position + 1:  # a leaf is nobody's ancestor
                ancestry.append(node)
                stops.append(stop)
        return found


# The module being checked: rules check one file at a time.
_CURRENT: list[TreeIndex | None] = [None]


def index_tree(module: cst.Module) -> None:
    """Index `module` for the walks that follow (the index of the previous one is let go)."""
    current = _CURRENT[0]
    if current is None or current.root is not module:
        _CURRENT[0] = TreeIndex(module)


def index_of(root: cst.CSTNode) -> TreeIndex:
    """The current index when it is `root`'s, else one made for this question."""
    current = _CURRENT[0]
    if current is not None and current.root is root:
        return current
    return TreeIndex(root)


def indexed(node: cst.CSTNode) -> tuple[TreeIndex, int] | None:
    """The current index and `node`'s number in it, if it holds `node`."""
    index = _CURRENT[0]
    if index is None:
        return None
    at = index.number.get(id(node))
    return None if at is None else (index, at)


def walk_indexed(node: cst.CSTNode, into_scopes: bool) -> Iterator[cst.CSTNode] | None:
    found = indexed(node)
    if found is None:
        return None
    index, at = found
    return iter(index.below(at, into_scopes))


def kinds_indexed(
    node: cst.CSTNode, kinds: frozenset[type], into_scopes: bool
) -> list[cst.CSTNode] | None:
    found = indexed(node)
    if found is None:
        return None
    index, at = found
    nodes = index.nodes
    return [nodes[number] for number in index.kinds_below(at, kinds, into_scopes)]
