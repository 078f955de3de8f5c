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

A chain only the Django dialect reads (`ast_query_keys.django_key_values`) has a key
(`_key_of`) only in a `filter` / `get` keyword that may compare one column, and without
a key the one report left is an `__iexact` lookup whose value changes per item
(`unbatchable_lookup`, with nothing else varying). So such a chain counts only when one
of those keywords reads a name bound in the loop: `Order.objects.filter(pk__in=chunk,
event=event)` per chunk is a batch already.
"""

from __future__ import annotations

import ast

from n1fix.analysis.ast_loop_calls import loop_names
from n1fix.analysis.ast_query_keys import chain_below, key_reads_any
from n1fix.cst.astwalk import nodes_of


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
        path = chain_below(top)
        if self._is_assigned(top) and any(
            type(part) is ast.Attribute and part.attr == "query" for part in path
        ):
            return True
        varying = loop_names(self._tree, node)
        if not varying:
            return False
        return key_reads_any(path, varying)

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
