"""Which names, read in a function, the check may find a model for (`analysis._owner_model`
for a name other than `self`), read with `ast` for the survey.

`model_of_name` first looks for the innermost loop around the read that binds the name
(`loop_frames.frames_of`: a `for` statement's body, or the parts of a comprehension
that run per item of some of its clauses; a function, lambda or class starts afresh).
If one does, only that loop's items count (`item_model`): it must be a `for` or a
comprehension of one covering clause whose target is the plain name, iterating a
chain of method calls (a query), `owner.rel` (a relationship), or a name the function
binds to such a chain or annotates with a subscript (`list[Model]`). Otherwise the
name's bindings in the function count: an annotation that is a dotted name, or a query
of one row assigned (`_one_row_query`). Either way, `_owner_model` then falls back to
the one binding of the name being a call (not awaited), whose callee names the model.

The callee of that fallback is resolved by `models.resolve` (a model whose name ends
with the callee's last part: `Member(...)`, `models.Member(...)`, or what `Member`
imports under `as`) or, for `a.B(...)` with `a` not imported, by a property of `a`'s
annotated class (`FileContext._typed_model`): the first kind is kept as `B:rel.key`,
which the rule's project gate matches against the relationships of models named `B`
only, as it does `self.rel.key` in a method of a class `B`. `_typed_model` reads `a`
only when `typed_names.parameter_classes` has it: a name the module binds only as
parameters, all annotated with one dotted name; so `a.B(...)` counts as typed only
where `a` is some parameter's name with an annotation (`serializer.save(...)`,
`kwargs.get(...)`, `qs.filter(...).first()` in a view do not).

Of a loop's iterable, `item_model` reads a call only through `query_shape` (a query of
rows: `ast_rows.may_be_query` is a superset of what every dialect recognises; a
chain on `self.fields` or on a related manager `obj.rel.items.all()` is none), a name
only through its bindings to such a query or a `list[...]`-like annotation, and
`owner.rel` only as a relationship named `rel` of some model: its items are that
relationship's target (`@rel:key.pair`, matched by the project gate against the
targets of the relationships of that name; a view's `self.cartpositions` is none).

What is kept is a superset: the function's bindings are read in nested functions and
classes too, a relative import is taken for a name not imported, and a chain of calls
is read only for the spelling a dialect needs before it reads the query.
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass

from n1fix.analysis.ast_rows import may_be_query
from n1fix.cst.astwalk import (
    ast_dotted_name,
    ast_target_names,
    class_like,
    index_of,
    nodes_of,
    nodes_within,
    owner_scope,
)

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
# Starts the name of a fact's owner that is the items of a relationship of that name.
RELATED = "@"


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
    one_row: frozenset[str]  # assigned a query of one row (`_one_row_query`)
    typed: frozenset[str]  # assigned `a.B(...)`, `a` not imported: `_typed_model`
    built: dict[str, frozenset[str]]  # name -> the model names its callees may give
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
        self._imports: _Imports | None = None

    def model_names(
        self, read: ast.Attribute, function: ast.AST
    ) -> tuple[bool, frozenset[str]]:
        """How the check may find a model for the name `read` (`owner.rel.key`) starts
        with, `function` being the innermost function around it: (whether any model,
        as a query, an annotation, a loop or a typed parameter gives it; the names of
        the models the callee of `owner = f(...)` may name, and `@rel` when the name
        is an item of a loop over `x.rel`)."""
        owner = read.value.value.id
        bound = self._bound.get(id(function))
        if bound is None:
            if self._imports is None:
                self._imports = _Imports(self._tree)
            bound = _bindings(self._tree, function, self._imports)
            self._bound[id(function)] = bound
        built = bound.built.get(owner, frozenset())
        frame = self._innermost_binding(read, owner)
        if frame is None:
            typed = (
                owner in bound.annotated
                or owner in bound.one_row
                or owner in bound.typed
            )
            return typed, built
        if owner in bound.typed:
            return True, built  # `_owner_model`'s fallback
        if frame.item != owner:
            return False, built
        iterable = frame.iterable
        if isinstance(iterable, ast.Attribute):
            if isinstance(iterable.value, ast.Name):
                return False, built | {RELATED + iterable.attr}
            return False, built
        if isinstance(iterable, ast.Name):
            return iterable.id in bound.iterables, built
        return may_be_query(iterable), built

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
                    frozenset(ast_target_names(loop.target)),
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
                    name
                    for clause in clauses
                    for name in ast_target_names(clause.target)
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


class _Imports:
    """The names a module's imports bind: which may not be in `import_map` (a relative
    import, which it skips when it does not resolve), and the last part of what each
    `as` name imports."""

    def __init__(self, tree: ast.Module) -> None:
        self.absolute: set[str] = set()
        self.renamed: dict[str, set[str]] = {}
        # The names of the parameters with an annotation: all `_typed_model` may read.
        self.annotated_parameters = {
            arg.arg for arg in nodes_of(tree, ast.arg) if arg.annotation is not None
        }
        for node in nodes_of(tree, ast.Import, ast.ImportFrom):
            relative = isinstance(node, ast.ImportFrom) and node.level > 0
            for alias in node.names:
                local = alias.asname or alias.name.split(".", 1)[0]
                if not relative:
                    self.absolute.add(local)
                if alias.asname:
                    last = alias.name.rsplit(".", 1)[-1]
                    self.renamed.setdefault(alias.asname, set()).add(last)


def _bindings(tree: ast.Module, function: ast.AST, imports: _Imports) -> _Bound:
    annotated: set[str] = set()
    one_row: set[str] = set()
    typed: set[str] = set()
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
        if not names:
            continue
        if may_be_query(value):
            iterables.update(names)
        if _one_row_query(value):
            one_row.update(names)
        if not isinstance(value, ast.Call):
            continue  # the fallback reads a call, not an await
        callee = ast_dotted_name(value.func)
        if callee is None:
            continue
        head, dot, _ = callee.partition(".")
        models = {callee.rsplit(".", 1)[-1]}
        if not dot:
            models |= imports.renamed.get(head, set())
        elif head not in imports.absolute and head in imports.annotated_parameters:
            typed.update(names)
        for name in names:
            built.setdefault(name, set()).update(models)
    return _Bound(
        frozenset(annotated),
        frozenset(one_row),
        frozenset(typed),
        {name: frozenset(models) for name, models in built.items()},
        frozenset(iterables),
    )


# The last calls after which a query gives one row: SQLAlchemy's `_RESULT_TERMINALS`,
# 2.0's `session.get()` and 1.x's `Query.get()`, Django's `_TERMINALS` of one row, and
# `.unique()`, which 2.0's recogniser skips.
_ONE_ROW_TERMINALS = frozenset(
    {
        "get",
        "first",
        "one",
        "one_or_none",
        "scalar",
        "scalar_one",
        "scalar_one_or_none",
        "unique",
        "afirst",
        "last",
        "alast",
        "aget",
    }
)
# The first calls of the chains `query_shape.recognize` reads (besides `get`, which it
# reads as `session.get(Model, key)`: two arguments).
_FIRST_CALLS = frozenset({"scalars", "execute", "scalar", "query"})


def _one_row_query(expr: ast.expr) -> bool:
    """Whether a dialect's `query_shape` may read `expr` as a query of at most one
    row: its last method call ends such a query, and the chain starts as SQLAlchemy's
    recognisers need (`session.get(M, k)`, `session.scalars(...)`, `...execute`,
    `...scalar`, `session.query(...)`) or on an attribute (`Model.query`, a Django
    manager `Model.objects`)."""
    while isinstance(expr, ast.Await):
        expr = expr.value
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)):
        return False
    if expr.func.attr not in _ONE_ROW_TERMINALS:
        return False
    first = expr
    while True:  # down the chain to its first call, through awaits as `unwind` does
        inner = first.func.value
        while isinstance(inner, ast.Await):
            inner = inner.value
        if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute):
            first = inner
        else:
            break
    if isinstance(inner, ast.Attribute):
        return True
    name = first.func.attr
    if name == "get":
        # `session.get(Model, key)`: `_recognize_v2` wants two arguments, the first a
        # class (`kwargs.get("instance", None)` is none)
        values = [*first.args, *(keyword.value for keyword in first.keywords)]
        return len(values) == 2 and any(class_like(value) for value in values)
    return name in _FIRST_CALLS


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
