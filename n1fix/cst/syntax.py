"""Small syntactic facts about LibCST trees that several rules need."""

from __future__ import annotations

import functools
from typing import Callable, Iterator

import libcst as cst

from n1fix.cst import tree_index
from n1fix.cst.node_children import children

COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


def target_names(target: cst.BaseExpression) -> set[str]:
    """Names bound by an assignment or loop target (`a`, `a, b`, `(a, [b, *c])`)."""
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        names: set[str] = set()
        for element in target.elements:
            names |= target_names(element.value)
        return names
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return set()


# Asked once per type of node: `isinstance` against LibCST's node classes goes through
# `ABCMeta.__instancecheck__`, a Python-level call.
_IS_SCOPE: dict[type, bool] = {}


def kind_test(classes: type | tuple[type, ...]) -> Callable[[object], bool]:
    """`isinstance(node, classes)`, worked out once per type of node."""
    answers: dict[type, bool] = {}

    def test(node: object) -> bool:
        kind = type(node)
        answer = answers.get(kind)
        if answer is None:
            answer = answers[kind] = issubclass(kind, classes)
        return answer

    return test


def walk(node: cst.CSTNode, *, into_scopes: bool = False) -> Iterator[cst.CSTNode]:
    """Every node below `node` (pre-order), not entering nested functions or classes."""
    found = tree_index.walk_indexed(node, into_scopes)
    if found is not None:
        return found
    return _walk(node, into_scopes)


def walk_kinds(
    node: cst.CSTNode, kinds: frozenset[type], *, into_scopes: bool = False
) -> list[cst.CSTNode]:
    """The nodes `walk` yields whose class is one of `kinds` (exact classes), in the
    same order: read off the module's index where it holds `node`, without testing
    every node of the subtree."""
    found = tree_index.kinds_indexed(node, kinds, into_scopes)
    if found is not None:
        return found
    return [n for n in _walk(node, into_scopes) if type(n) in kinds]


def _walk(node: cst.CSTNode, into_scopes: bool) -> Iterator[cst.CSTNode]:
    stack = list(children(node))
    stack.reverse()
    while stack:
        current = stack.pop()
        yield current
        if not into_scopes:
            kind = type(current)
            is_scope = _IS_SCOPE.get(kind)
            if is_scope is None:
                is_scope = _IS_SCOPE[kind] = issubclass(kind, SCOPES)
            if is_scope:
                continue
        below = list(children(current))
        below.reverse()
        stack.extend(below)


def names_read(node: cst.CSTNode) -> set[str]:
    """Names an expression refers to (attribute names and keywords excluded)."""
    found: set[str] = set()
    _collect_names(node, found)
    return found


def _collect_names(node: cst.CSTNode, found: set[str]) -> None:
    if isinstance(node, cst.Name):
        found.add(node.value)
        return
    if isinstance(node, cst.Attribute):
        _collect_names(node.value, found)
        return
    if isinstance(node, cst.Arg):
        _collect_names(node.value, found)
        return
    for child in children(node):
        _collect_names(child, found)


def names_assigned(body: cst.CSTNode) -> set[str]:
    """Names bound anywhere in `body` (assignments, loop targets, with-as, walrus, imports)."""
    return set(_names_assigned(body))


# Every class `_names_assigned` reads a binding from.
_BINDERS = frozenset(
    {
        cst.AssignTarget,
        cst.AnnAssign,
        cst.AugAssign,
        cst.For,
        cst.CompFor,
        cst.ImportAlias,
        cst.AsName,
        cst.NamedExpr,
        cst.FunctionDef,
        cst.ClassDef,
        cst.MatchAs,
        cst.MatchStar,
        cst.MatchMapping,
    }
)


# Every rule asks this of the same loop bodies and functions, once per query or write in
# them (a tenth of a Django project's check). LibCST nodes are immutable and hash by
# identity, so the answer for a node never changes; the cache holds its nodes, which
# keeps their ids from being reused while they are keys.
@functools.lru_cache(maxsize=1024)
def _names_assigned(body: cst.CSTNode) -> frozenset[str]:
    bound: set[str] = set()
    for node in walk_kinds(body, _BINDERS):
        if isinstance(node, cst.AssignTarget):
            bound |= target_names(node.target)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
            bound |= target_names(node.target)
        elif isinstance(node, (cst.For, cst.CompFor)):
            bound |= target_names(node.target)
        elif isinstance(node, cst.ImportAlias):
            if node.asname is not None:
                bound |= target_names(node.asname.name)
            elif isinstance(node.name, cst.Name):
                bound.add(node.name.value)
            else:  # `import a.b` binds `a`
                root = node.name
                while isinstance(root, cst.Attribute):
                    root = root.value
                if isinstance(root, cst.Name):
                    bound.add(root.value)
        elif isinstance(node, cst.AsName):
            bound |= target_names(node.name)
        elif isinstance(node, cst.NamedExpr):
            bound |= target_names(node.target)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            bound.add(node.name.value)
        else:
            bound |= pattern_captures(node)
    return frozenset(bound)


def pattern_captures(node: cst.CSTNode) -> set[str]:
    """Names a `match` pattern node binds: `case int() as x`, `case x`, `case [*rest]`,
    `case {"id": x, **rest}`."""
    if isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
        return {node.name.value}
    if isinstance(node, cst.MatchMapping) and node.rest is not None:
        return {node.rest.value}
    return set()


def all_names(node: cst.CSTNode) -> set[str]:
    """Every identifier used or bound as a variable in `node`, nested scopes included.

    Attribute names (`x.renders`) and keyword names (`f(limit=4)`) are not variables, and
    neither is a comprehension's own loop variable (`render` in
    `[render.prompt for render in recent]`), which lives in the comprehension's scope.
    """
    names = _bare_names(node)
    private = set()
    for comp in walk(node, into_scopes=True):
        if isinstance(comp, COMPREHENSIONS):
            clause = comp.for_in
            while clause is not None:
                private |= target_names(clause.target)
                clause = clause.inner_for_in
    if not private:
        return names
    return (names - private) | _names_outside_comprehension_targets(node, private)


def _names_outside_comprehension_targets(
    node: cst.CSTNode, private: set[str]
) -> set[str]:
    """Those of `private` that are also used outside the comprehensions binding them."""
    used: set[str] = set()
    stack: list[tuple[cst.CSTNode, frozenset[str]]] = [(node, frozenset())]
    while stack:
        current, bound = stack.pop()
        if isinstance(current, cst.Name):
            if current.value in private and current.value not in bound:
                used.add(current.value)
            continue
        if isinstance(current, cst.Attribute):
            stack.append((current.value, bound))
            continue
        if isinstance(current, COMPREHENSIONS):
            inner = set(bound)
            clause = current.for_in
            while clause is not None:
                inner |= target_names(clause.target)
                clause = clause.inner_for_in
            frozen = frozenset(inner)
            # The first iterable runs in the enclosing scope.
            stack.append((current.for_in.iter, bound))
            for child in children(current):
                if child is not current.for_in:
                    stack.append((child, frozen))
            clause = current.for_in
            stack.append((clause.target, frozen))
            for if_ in clause.ifs:
                stack.append((if_, frozen))
            if clause.inner_for_in is not None:
                stack.append((clause.inner_for_in, frozen))
            continue
        stack.extend((child, bound) for child in children(current))
    return used


def _bare_names(node: cst.CSTNode) -> set[str]:
    """Names that appear as variables somewhere (not only after a dot or as a keyword)."""
    bare: set[str] = set()
    stack: list[tuple[cst.CSTNode, bool]] = [(node, False)]
    while stack:
        current, is_attr = stack.pop()
        if isinstance(current, cst.Name):
            if not is_attr:
                bare.add(current.value)
            continue
        if isinstance(current, cst.Attribute):
            stack.append((current.value, False))
            stack.append((current.attr, True))
            continue
        if isinstance(current, cst.Arg) and current.keyword is not None:
            stack.append((current.keyword, True))
            stack.append((current.value, False))
            continue
        stack.extend((child, False) for child in children(current))
    return bare


def is_pure_key(expr: cst.BaseExpression) -> bool:
    """A key we may evaluate again in a comprehension: names, attributes, constant subscripts."""
    if isinstance(expr, cst.Name):
        return True
    if isinstance(expr, cst.Attribute):
        return is_pure_key(expr.value)
    if isinstance(expr, cst.Subscript):
        if len(expr.slice) != 1 or not isinstance(expr.slice[0].slice, cst.Index):
            return False
        index = expr.slice[0].slice.value
        return is_pure_key(expr.value) and isinstance(
            index, (cst.SimpleString, cst.Integer)
        )
    return False
