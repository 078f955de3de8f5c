"""Which queries in a loop the check may report: those that read what changes per item.

`analysis._analyze_loop` works on `varying_all`, the names of `loop_frames.frames_of`'s
frames around the query: the targets of the loops whose per-item part holds it, and
what their bodies bind. A query with no key (`_key_of`: `get`'s key or one predicate
that reads such a name) and no other part reading one (`_dependent_parts`: the session,
the model, predicates, the other calls, the slice, the selected columns, the terminal)
is "a loop-invariant query" and gives None; every later report needs a key or a
dependent part. `names_read` takes every name below a part (not attribute names nor
keywords), lambda parameters included. So the gate asks, of the query-like node `node`
it found per item:

- `loop_names`: every name bound anywhere in those loops, up to the node's function,
  class or lambda (a superset of the frames' names);
- the query's expression: from `node` up through `x.attr`, `x(...)`, `await x` and
  `x[...]`, as far as they go (`top`). The check's query is an expression
  `unwind` splits into a base and a chain of calls, and the node the gate found for
  it lies on that chain (a manager's `filter` or `get`, `session.execute(select(...))`,
  `session.query(M)`, `Model.query`), so it lies below `top` with nothing but that
  chain between: the same loops around it, and every name it reads read in `top`;
- a query pieced together from two statements reads one more: `session.scalars(stmt)`
  reads `stmt`, which the loop body binds (`_recognize_through_variable`);
  `result = session.execute(...)` read as `result.first()` on the next line of the
  same block reads the first line's value, whose chain after it takes no arguments
  (`read_through_result`); but the 1.x Query of `q = session.query(M)` read as
  `q.filter_by(k=key).first()` further down (`recognize_through_query_variable`) reads
  the later line's arguments, which the gate does not see from `node`: a `.query` in a
  chain that is the value of an assignment counts as read per item, whatever it reads.

A chain on `Cls.attr` that SQLAlchemy's recognizer cannot start (no `execute`,
`scalars`, `scalar`, `query` anywhere on it, no `get` with positional arguments) is
read by the Django dialect alone (`DjangoDialect.query_shape`). Its predicates are the
keyword arguments of `filter`, `exclude` and `get` / `aget` (`_predicates`: `Q(...)` and
`**kw` are none); a key is one of `filter`'s or `get`'s whose lookup `lookup_column`
reads as an equality on one column: after a trailing `__exact`, one part, or two whose
second is `pk` or the related model's primary key, a field name, so never a Python
keyword (`id__in`); three parts or more never. Without a key the one report left is a
lookup ending in `__iexact` (`unbatchable_lookup`, of any of the three calls). So such a
chain counts only when one of those keywords reads a name bound in the loop:
`Order.objects.filter(pk__in=chunk, event=event)` per chunk is a batch already.
"""

from __future__ import annotations

import ast
from keyword import iskeyword

from n1fix.analysis.ast_loop_calls import loop_names
from n1fix.cst.astwalk import nodes_of

# The first calls of a chain SQLAlchemy's recognizer reads (`query_shape.recognize`),
# besides `get(Model, key)` and `Model.query`.
_SQLALCHEMY_STARTS = frozenset({"execute", "scalars", "scalar", "query"})
_KEYED_CALLS = frozenset({"filter", "get", "aget"})  # keyed=True in `_predicates`


class VaryingReads:
    """One module's queries in loops, asked one node at a time."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._above: dict[int, ast.AST] | None = None
        self._assigned: set[int] | None = None

    def may_be_reported(self, node: ast.AST) -> bool:
        """May the check report the query `node` (a node `may_query` matched, run per
        item) is part of? False only when it surely reads nothing that changes per item
        in a way the check can key or report (module docstring)."""
        top = self._top(node)
        path = _chain(top)
        if self._is_assigned(top) and any(
            type(part) is ast.Attribute and part.attr == "query" for part in path
        ):
            return True
        varying = loop_names(self._tree, node)
        if not varying:
            return False
        keyed = _django_keyed_values(path)
        if keyed is not None:
            return any(_reads(value, varying) for value in keyed)
        return _reads(top, varying)

    def _top(self, node: ast.AST) -> ast.AST:
        if self._above is None:
            above: dict[int, ast.AST] = {}
            for call in nodes_of(self._tree, ast.Call):
                above[id(call.func)] = call
            for kind in (ast.Attribute, ast.Await, ast.Subscript):
                for holder in nodes_of(self._tree, kind):
                    above[id(holder.value)] = holder
            self._above = above
        while (up := self._above.get(id(node))) is not None:
            node = up
        return node

    def _is_assigned(self, top: ast.AST) -> bool:
        if self._assigned is None:
            self._assigned = {
                id(assign.value) for assign in nodes_of(self._tree, ast.Assign)
            }
        return id(top) in self._assigned


def _chain(top: ast.AST) -> list[ast.AST]:
    """`top` and the nodes below it through `.value` and `.func`, top first; the
    last is the chain's base."""
    path = [top]
    node = top
    while True:
        kind = type(node)
        if kind is ast.Call:
            node = node.func
        elif kind in (ast.Attribute, ast.Await, ast.Subscript):
            node = node.value
        else:
            return path
        path.append(node)


def _django_keyed_values(path: list[ast.AST]) -> list[ast.expr] | None:
    """For a chain only the Django dialect reads (on `Cls.attr`), the values of the
    keyword arguments that may be a key or an `__iexact` lookup; None for any other
    chain."""
    base = path[-1]
    if (
        len(path) < 2
        or type(path[-2]) is not ast.Attribute
        or path[-2].value is not base
    ):
        return None
    if path[-2].attr == "query":
        return None  # Flask-SQLAlchemy's `Model.query`
    values: list[ast.expr] = []
    for part in path:
        if type(part) is ast.Attribute and part.attr in _SQLALCHEMY_STARTS:
            return None
        if type(part) is not ast.Call or type(part.func) is not ast.Attribute:
            continue
        method = part.func.attr
        if method == "get" and part.args:
            return None  # `session.get(Model, key)` is SQLAlchemy's too
        if method in _KEYED_CALLS:
            values.extend(
                keyword.value
                for keyword in part.keywords
                if keyword.arg is not None
                and (_may_key(keyword.arg) or _iexact(keyword.arg))
            )
        elif method == "exclude":
            values.extend(
                keyword.value
                for keyword in part.keywords
                if keyword.arg is not None and _iexact(keyword.arg)
            )
    return values


def _may_key(lookup: str) -> bool:
    """May `DjangoDialect.lookup_column` read `lookup` as an equality on one column?"""
    parts = lookup.split("__")
    if parts[-1] == "exact":
        parts.pop()
    return len(parts) <= 1 or (len(parts) == 2 and not iskeyword(parts[1]))


def _iexact(lookup: str) -> bool:
    """`field__iexact`, as `DjangoDialect.unbatchable_lookup` reads a keyword."""
    field, _, last = lookup.rpartition("__")
    return last == "iexact" and bool(field)


def _reads(expr: ast.AST, names: set[str]) -> bool:
    """Does `expr` refer to one of `names` (as `syntax.names_read` reads it: any name
    below it, lambda parameters too, which LibCST spells as names)?"""
    for node in ast.walk(expr):
        kind = type(node)
        if kind is ast.Name and node.id in names:
            return True
        if kind is ast.arg and node.arg in names:
            return True
    return False
