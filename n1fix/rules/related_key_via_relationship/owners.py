"""Which names, read in a function, the check may find a model for (`analysis._owner_model`
for a name other than `self`), read with `ast` for the survey.

`model_of_name` first looks for the innermost loop around the read that binds the name
(`loop_frames.frames_of`: a `for` statement's body, or the parts of a comprehension
that run per item of some of its clauses; a function, lambda or class starts afresh).
If one does, only that loop's items count (`item_model`): it must be a `for` or a
comprehension of one covering clause whose target is the plain name, iterating a call
(a query), `owner.rel` (a relationship), or a name the function binds to a call or
annotates with a subscript (`list[Model]`). Otherwise the name's bindings in the
function count: an annotation that is a dotted name, or a call assigned (a query's
one row). Either way, `_owner_model` then falls back to the one binding of the name
being a call (`Member(...)`), so a name the function assigns a call always counts.

What is kept is a superset: the function's bindings are read in nested functions and
classes too, and a call or relationship iterated is not asked whether a dialect reads it
as a query.
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

    typed: frozenset[str]  # annotated with a dotted name, or assigned a call
    called: frozenset[str]  # assigned a call
    iterables: frozenset[str]  # assigned a call, or annotated with a subscript


class Owners:
    """Answers `may_have_model` for the reads of one tree."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._number = index_of(tree).number
        frames = sorted(_frames(tree), key=lambda frame: frame.start)
        self._starts = [frame.start for frame in frames]
        self._frames = frames
        self._bound: dict[int, _Bound] = {}

    def may_have_model(self, read: ast.Attribute, function: ast.AST) -> bool:
        """Whether the check may find a model for the name `read` (`owner.rel.key`)
        starts with, `function` being the innermost function around it."""
        owner = read.value.value.id
        bound = self._bound.get(id(function))
        if bound is None:
            bound = self._bound[id(function)] = _bindings(self._tree, function)
        frame = self._innermost_binding(read, owner)
        if frame is None:
            return owner in bound.typed
        if owner in bound.called:
            return True  # `_owner_model`'s fallback
        if frame.item != owner:
            return False
        iterable = frame.iterable
        if isinstance(iterable, (ast.Call, ast.Await)):
            return True
        if isinstance(iterable, ast.Attribute):
            return isinstance(iterable.value, ast.Name)
        return isinstance(iterable, ast.Name) and iterable.id in bound.iterables

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
    typed: set[str] = set()
    called: set[str] = set()
    iterables: set[str] = set()
    args = function.args
    for arg in (
        *args.posonlyargs,
        *args.args,
        *args.kwonlyargs,
        *((args.vararg,) if args.vararg else ()),
        *((args.kwarg,) if args.kwarg else ()),
    ):
        _annotated(arg.arg, arg.annotation, typed, iterables)
    for node in nodes_within(tree, function, ast.Assign, ast.AnnAssign):
        value = node.value
        if isinstance(node, ast.AnnAssign):
            if not isinstance(node.target, ast.Name):
                continue
            names = [node.target.id]
            _annotated(names[0], node.annotation, typed, iterables)
        else:
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
        if isinstance(value, (ast.Call, ast.Await)):
            typed.update(names)
            called.update(names)
            iterables.update(names)
    return _Bound(frozenset(typed), frozenset(called), frozenset(iterables))


def _annotated(
    name: str, annotation: ast.expr | None, typed: set[str], iterables: set[str]
) -> None:
    if annotation is None:
        return
    if isinstance(annotation, ast.Subscript):
        iterables.add(name)
    while isinstance(annotation, ast.Attribute):
        annotation = annotation.value
    if isinstance(annotation, ast.Name):
        typed.add(name)
