"""QuerySets that stay objects: which `Book.objects.filter(...)` in a loop the check reads.

The check (`analysis._analyze_loop`) drops a query kept as an object (`_kept_as_object`:
rows of a model, no terminal call) unless the query is iterated where it stands
(`_iterated_directly`: the iterable of a `for` or a comprehension, the one argument of
a call of `CONSUMERS` or `enumerate`) or is the value of `name = <query>` with the name
read as rows (`_iterated_through_name`: the iterable of a `for` or comprehension, the one
argument of a `_COPIES` call) or read through on the next line
(`result_variable.read_through_result`: `name.first()`, `name.count()`).

A chain on a model's manager of methods that keep a QuerySet of rows only
(`Book.objects.filter(author=a).order_by("-id")`: Django's `_CHAIN`) is such a query for
every dialect: Django reads it as rows with no terminal (LIST); SQLAlchemy reads no chain
that starts neither at `get` / `execute` / `scalars` / `scalar` / `query` nor on
`Model.query` (`query_shape.recognize`). pretix builds many of them in loops as
subqueries (`Exists(EventMetaValue.objects.filter(property=p, ...))`), which no check
reports. `QuerySetUses.may_run` tells the gate whether a chain may be read; a superset of
the places above: any `name.method(...)` counts as a read through, a subscript, an
`await` or a starred use of the chain as iterated.
"""

from __future__ import annotations

import ast

from n1fix.cst.astwalk import ast_dotted_name, nodes_of

# `django_dialect._CHAIN`: QuerySet methods that narrow, order or load without changing
# what a row is (tests/test_gate_precision.py holds the two sets equal).
ROW_CHAIN = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "only",
        "defer",
        "using",
        "annotate",
        "alias",
        "select_for_update",
        "distinct",
        "reverse",
        "iterator",
    }
)
# Calls that consume a query's rows where it stands, for the gate and the check
# (`analysis._iterated_directly`): `loop_placement.CONSUMERS | {"enumerate"}`, which
# holds `analysis._COPIES` (a test holds them so).
CONSUMING_CALLS = frozenset(
    {
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sum",
        "any",
        "all",
        "min",
        "max",
        "sorted",
        "enumerate",
    }
)


class QuerySetUses:
    """Where the expressions of one module stand, as far as `may_run` needs to know."""

    def __init__(self, tree: ast.AST) -> None:
        # id(receiver) -> the call of a method on it (`receiver.m(...)`)
        self._called_on: dict[int, ast.Call] = {}
        self._iterated: set[int] = set()  # ids of expressions that may be iterated
        self._bound_to: dict[int, str] = {}  # id(value) -> name, for `name = value`
        self._row_names: set[str] = set()  # names that may be read as rows
        for call in nodes_of(tree, ast.Call):
            func = call.func
            if isinstance(func, ast.Attribute):
                self._called_on[id(func.value)] = call
                if isinstance(func.value, ast.Name):
                    self._row_names.add(func.value.id)
            if (
                len(call.args) + len(call.keywords) == 1
                and ast_dotted_name(func) in CONSUMING_CALLS
            ):
                self._iterate(call.args[0] if call.args else call.keywords[0].value)
        for loop in nodes_of(tree, ast.For, ast.AsyncFor, ast.comprehension):
            self._iterate(loop.iter)
        for holder in nodes_of(tree, ast.Subscript, ast.Await, ast.Starred):
            self._iterated.add(id(holder.value))
        for assign in nodes_of(tree, ast.Assign):
            if len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name):
                self._bound_to[id(assign.value)] = assign.targets[0].id

    def _iterate(self, expr: ast.expr) -> None:
        self._iterated.add(id(expr))
        if isinstance(expr, ast.Name):
            self._row_names.add(expr.id)

    def may_run(self, call: ast.Call) -> bool:
        """May the check read the query `call` is part of? False only for a chain of
        `ROW_CHAIN` methods on `Class.attr` (not `Model.query`) whose outermost call is
        neither iterated where it stands nor bound to a name read as rows."""
        current: ast.expr = call
        while isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute):
            if current.func.attr not in ROW_CHAIN:
                return True
            current = current.func.value
        if not isinstance(current, ast.Attribute) or current.attr == "query":
            return True
        top = call
        while (above := self._called_on.get(id(top))) is not None:
            if above.func.attr not in ROW_CHAIN:  # type: ignore[attr-defined]
                return True  # a terminal (`.first()`), `values()`, another method
            top = above
        if id(top) in self._iterated:
            return True
        name = self._bound_to.get(id(top))
        return name is not None and name in self._row_names
