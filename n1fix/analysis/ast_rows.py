"""Which loops of a file may run over the rows of a query, read with `ast` for the gates.

The checks find a loop's rows with `analysis.row_sources.row_source`: the loop's
iterable is a query a dialect recognises (`ctx.orm.query_shape`), or a name the
function binds once to one, or a call of a function of the module whose one `return`
is one. These are cheap supersets of that, so that a gate can turn away a file in which
no loop can be over a query's rows before LibCST parses it. No LibCST here.
"""

from __future__ import annotations

import ast

from n1fix.cst.astwalk import class_like, nodes_of, owner_scope

# The first call of a SQLAlchemy query on a session (`session.scalars(...)`,
# `session.query(...)`).
_RUNNERS = {"scalars", "execute", "scalar", "query"}
# Wrappers the checks see through to the rows (`for i, row in enumerate(rows)`).
_SAME_ROWS = {"list", "tuple", "sorted", "reversed"}
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def may_be_query(expr: ast.AST | None, django: bool = True) -> bool:
    """A chain of method calls a dialect may read as a query: `session.scalars(...)`,
    `session.query(...)...`, `Model.query...` (SQLAlchemy), and with `django` a chain on
    a manager of a class-like name, `Model.objects.filter(...)...`."""
    first = None
    while True:
        if isinstance(expr, ast.Await):
            expr = expr.value
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            first, expr = expr.func.attr, expr.func.value
        else:
            break
    if first is None:
        return False
    if first in _RUNNERS:
        return True
    if not (isinstance(expr, ast.Attribute) and class_like(expr.value)):
        return False
    return django or expr.attr == "query"


class QueryRows:
    """What, in one module, may hold a query's rows: the names assigned a query (or, with
    `helpers`, a call of a function returning one), and the functions and methods whose
    some `return` gives a query (directly or through such a name)."""

    def __init__(
        self, tree: ast.Module, django: bool = True, helpers: bool = True
    ) -> None:
        self.django = django
        assigned, returns = _bindings(tree)
        self.names = {name for name, value in assigned if self._query(value)}
        self.helpers: set[str] = set()
        if helpers:
            self.helpers = {
                name
                for name, values in returns.items()
                if any(
                    self._query(v) or (isinstance(v, ast.Name) and v.id in self.names)
                    for v in values
                )
            }
            self.names |= {
                name for name, value in assigned if self._calls_helper(value)
            }

    def _query(self, expr: ast.AST | None) -> bool:
        return may_be_query(expr, self.django)

    def _calls_helper(self, expr: ast.AST | None) -> bool:
        """`helper(...)`, `self.helper(...)`, `cls.helper(...)` (awaited or not)."""
        if isinstance(expr, ast.Await):
            expr = expr.value
        if not isinstance(expr, ast.Call):
            return False
        func = expr.func
        if isinstance(func, ast.Name):
            return func.id in self.helpers
        return (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in ("self", "cls")
            and func.attr in self.helpers
        )

    def may_hold(self, expr: ast.AST) -> bool:
        """Whether the rows of a query may be what `expr` gives."""
        if isinstance(expr, ast.Name):
            return expr.id in self.names
        return self._query(expr) or self._calls_helper(expr)


_Assigned = list[tuple[str, "ast.AST | None"]]
_Returns = dict[str, list["ast.AST | None"]]
# The bindings of the module last asked about: two gates read the same file's.
_LAST: list = [None, None]


def _bindings(tree: ast.Module) -> tuple[_Assigned, _Returns]:
    """(name, value) of every `name = value` / `name: T = value` in the module, and the
    values every function or method returns, by its name; read off the survey's index
    of the tree (`nodes_of`), not a walk of its own."""
    if _LAST[0] is tree:
        return _LAST[1]
    assigned: _Assigned = []
    for node in nodes_of(tree, ast.Assign):
        assigned.extend(
            (t.id, node.value) for t in node.targets if isinstance(t, ast.Name)
        )
    assigned.extend(
        (node.target.id, node.value)
        for node in nodes_of(tree, ast.AnnAssign)
        if isinstance(node.target, ast.Name)
    )
    returns: _Returns = {}
    # A `return` counts for every function around it, as the check reads every
    # `return` inside a helper's body, nested functions' too.
    for node in nodes_of(tree, ast.Return):
        scope = owner_scope(tree, node)
        while scope is not tree:
            if isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                returns.setdefault(scope.name, []).append(node.value)
            scope = owner_scope(tree, scope)
    _LAST[0], _LAST[1] = tree, (assigned, returns)
    return assigned, returns


def loop_rows(node: ast.AST) -> tuple[ast.AST, ast.AST] | None:
    """(item target, rows) of a synchronous `for` statement or comprehension (its first
    clause), through `enumerate(rows)`, `sorted(rows, ...)`, `list(rows)`...; None for
    anything else."""
    if isinstance(node, ast.For):
        target, iterable = node.target, node.iter
    elif isinstance(node, _COMPREHENSIONS) and not node.generators[0].is_async:
        target, iterable = node.generators[0].target, node.generators[0].iter
    else:
        return None
    while (
        isinstance(iterable, ast.Call)
        and isinstance(iterable.func, ast.Name)
        and iterable.args
        and not isinstance(iterable.args[0], ast.Starred)
    ):
        func, first = iterable.func.id, iterable.args[0]
        if (
            func == "enumerate"
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        ):
            target, iterable = target.elts[1], first
        elif func in _SAME_ROWS:
            iterable = first
        else:
            break
    return target, iterable
