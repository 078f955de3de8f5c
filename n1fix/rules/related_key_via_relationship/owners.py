"""Which names, read in a function, the check may find a model for (`analysis._owner_model`
for a name other than `self`), read with `ast` for the survey.

`model_of_name` first looks for the innermost loop around the read that binds the name
(`loop_frames.frames_of`: a `for` statement's body, or the parts of a comprehension
that run per item of some of its clauses; a function, lambda or class starts afresh).
If one does, only that loop's items count (`item_model`): it must be a `for` or a
comprehension of one covering clause whose target is the plain name, iterating a call
(a query), `owner.rel` (a relationship), or a name the function binds to a query or
annotates with a subscript (`list[Model]`). Otherwise the name's bindings in the
function count: an annotation that is a dotted name, or a query assigned (its one
row). Either way, `_owner_model` then falls back to the one binding of the name being
a call, whose callee names the model (`Member(...)`, `models.Member(...)`).

A query is what a dialect's `query_shape` may read: a chain of method calls
(`chains.unwind` finds no call in `f(...)`, awaited or not), so a name assigned
`f(...)` has a model only when `f` names one: the rule's project gate reads that
read as `f:rel.key` (the last part of what `f` imports, as `models.resolve` finds
it), as it does `self.rel.key` in a method of a class `f`.

What is kept is a superset: the function's bindings are read in nested functions and
classes too, and a chain of calls or a relationship iterated is not asked whether a
dialect reads it as a query.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass

from n1fix.cst.astwalk import index_of, nodes_within, owner_scope

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


@dataclass(frozen=True)
class _Frame:
    start: int  # the index's numbers of the per-item part: [start, end)
    end: int
    targets: frozenset[str]  # every name the clauses bind
    item: str | None  # the one plain name bound, when `item_model` can read the loop
    iterable: ast.expr


@dataclass(frozen=True)
class _Bound:
    """What a function binds its names to."""

    annotated: frozenset[str]  # with a dotted name
    queried: frozenset[str]  # assigned a chain of method calls, awaited or not
    built: dict[str, frozenset[str]]  # name -> `f` of each `name = f(...)`
    iterables: frozenset[str]  # assigned a chain of method calls, or `x: list[...]`


class Owners:
    """Answers `model_names` for the reads of one tree."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._number = index_of(tree).number
        frames = sorted(_frames(tree), key=lambda frame: frame.start)
        self._starts = [frame.start for frame in frames]
        self._frames = frames
        self._bound: dict[int, _Bound] = {}

    def model_names(
        self, read: ast.Attribute, function: ast.AST
    ) -> tuple[bool, frozenset[str]]:
        """How the check may find a model for the name `read` (`owner.rel.key`) starts
        with, `function` being the innermost function around it: (any model, as a query,
        an annotation or a loop gives it; the callees `f` of `owner = f(...)`, whose
        model `_owner_model`'s fallback takes)."""
        owner = read.value.value.id
        bound = self._bound.get(id(function))
        if bound is None:
            bound = self._bound[id(function)] = _bindings(self._tree, function)
        built = bound.built.get(owner, frozenset())
        frame = self._innermost_binding(read, owner)
        if frame is None:
            return owner in bound.annotated or owner in bound.queried, built
        if owner in bound.queried:
            return True, built  # `_owner_model`'s fallback: `models.Member(...)`
        if frame.item != owner:
            return False, built
        iterable = frame.iterable
        if isinstance(iterable, ast.Attribute):
            typed = isinstance(iterable.value, ast.Name)
        elif isinstance(iterable, ast.Name):
            typed = iterable.id in bound.iterables
        else:
            typed = _chain_of_calls(iterable)
        return typed, built

    def _innermost_binding(self, read: ast.AST, owner: str) -> _Frame | None:
        """The innermost frame around `read` binding `owner`, inside the innermost
        function, class or lambda around it."""
        at = self._number[id(read)]
        scope = owner_scope(self._tree, read)
        floor = self._number[id(scope)]
        frames = self._frames
        for position in range(bisect_right(self._starts, at) - 1, -1, -1):
            frame = frames[position]
            if frame.start <= floor:
                break  # frames start in order: the rest are outside the scope
            if at < frame.end and owner in frame.targets:
                return frame
        return None


def _frames(tree: ast.Module) -> list[_Frame]:
    """Every frame of the tree, as ranges of the index's numbers: the body of a `for`
    (before its `else`); for a comprehension, its element(s) (every clause), each
    clause's iterable (the clauses before it) and its `if`s (up to it)."""
    index = index_of(tree)
    number, ends = index.number, index.ends
    found: list[_Frame] = []
    for kind in (ast.For, ast.AsyncFor):
        for loop in index.by_class.get(kind, ()):
            end = number[id(loop.orelse[0])] if loop.orelse else ends[id(loop)]
            found.append(
                _Frame(
                    number[id(loop.body[0])],
                    end,
                    frozenset(_target_names(loop.target)),
                    _item(loop.target),
                    loop.iter,
                )
            )
    for kind in _COMPREHENSIONS:
        for comprehension in index.by_class.get(kind, ()):
            generators = comprehension.generators
            end = ends[id(comprehension)]

            def frame(start: int, stop: int, covering: int) -> None:
                clauses = generators[:covering]
                targets = frozenset(
                    name for clause in clauses for name in _target_names(clause.target)
                )
                item = _item(clauses[0].target) if covering == 1 else None
                found.append(_Frame(start, stop, targets, item, clauses[0].iter))

            elements_end = number[id(generators[0])]
            frame(number[id(comprehension)] + 1, elements_end, len(generators))
            for k, clause in enumerate(generators):
                stop = number[id(generators[k + 1])] if k + 1 < len(generators) else end
                ifs_start = number[id(clause.ifs[0])] if clause.ifs else stop
                if k:
                    frame(number[id(clause.iter)], ifs_start, k)
                if clause.ifs:
                    frame(ifs_start, stop, k + 1)
    return found


def _item(target: ast.expr) -> str | None:
    return target.id if isinstance(target, ast.Name) else None


def _target_names(target: ast.expr) -> list[str]:
    """`loop_frames`' `target_names`: a name, or the names of a tuple or list target."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []


def _bindings(tree: ast.Module, function: ast.AST) -> _Bound:
    annotated: set[str] = set()
    queried: set[str] = set()
    built: dict[str, set[str]] = {}
    iterables: set[str] = set()
    args = function.args
    for arg in (
        *args.posonlyargs,
        *args.args,
        *args.kwonlyargs,
        *((args.vararg,) if args.vararg else ()),
        *((args.kwarg,) if args.kwarg else ()),
    ):
        _annotated(arg.arg, arg.annotation, annotated, iterables)
    for node in nodes_within(tree, function, ast.Assign, ast.AnnAssign):
        value = node.value
        if isinstance(node, ast.AnnAssign):
            if not isinstance(node.target, ast.Name):
                continue
            names = [node.target.id]
            _annotated(names[0], node.annotation, annotated, iterables)
        else:
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if _chain_of_calls(value):
            queried.update(names)
            iterables.update(names)
        elif isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            for name in names:
                built.setdefault(name, set()).add(value.func.id)
    return _Bound(
        frozenset(annotated),
        frozenset(queried),
        {name: frozenset(callees) for name, callees in built.items()},
        frozenset(iterables),
    )


def _chain_of_calls(expr: ast.expr | None) -> bool:
    """`x.m(...)`, awaited or not: a value in which `unwind` finds a method call."""
    while isinstance(expr, ast.Await):
        expr = expr.value
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)


def _annotated(
    name: str, annotation: ast.expr | None, annotated: set[str], iterables: set[str]
) -> None:
    if annotation is None:
        return
    if isinstance(annotation, ast.Subscript):
        iterables.add(name)
    while isinstance(annotation, ast.Attribute):
        annotation = annotation.value
    if isinstance(annotation, ast.Name):
        annotated.add(name)
