"""What a query chain read with `ast` may key by, for the gates of query-in-loop and
write-in-loop.

A chain on `Cls.attr` that SQLAlchemy's recognizer cannot start (no `execute`,
`scalars`, `scalar`, `query` anywhere on it, no `get` with positional arguments:
`query_shape.recognize` starts a chain at one of those, or at `Model.query`) is read by
the Django dialect alone (`DjangoDialect.query_shape`). Its predicates are the keyword
arguments of `filter`, `exclude` and `get` / `aget` (`_predicates`: `Q(...)` and `**kw`
are none); a predicate with a column (`Predicate.attr`, what query-in-loop's `_key_of`
and write-in-loop's queryset writes key by) is one of `filter`'s or `get`'s whose lookup
`lookup_column` reads as an equality on one column: after a trailing `__exact`, one
part, or two whose second is `pk` or the related model's primary key, a field name, so
never a Python keyword (`id__in`); three parts or more never. The one other predicate a
check reports on is a lookup ending in `__iexact` (`unbatchable_lookup`, of any of the
three calls).
"""

from __future__ import annotations

import ast
from keyword import iskeyword

# The first calls of a chain SQLAlchemy's recognizer reads (`query_shape.recognize`),
# besides `get(Model, key)` and `Model.query`.
_SQLALCHEMY_STARTS = frozenset({"execute", "scalars", "scalar", "query"})
_KEYED_CALLS = frozenset({"filter", "get", "aget"})  # keyed=True in `_predicates`


def chain_below(top: ast.AST) -> list[ast.AST]:
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


def django_only(path: list[ast.AST]) -> bool:
    """Is the chain (`chain_below`) on `Cls.attr`, and one SQLAlchemy's recognizer
    cannot start anywhere on it (module docstring)?"""
    base = path[-1]
    if (
        len(path) < 2
        or type(path[-2]) is not ast.Attribute
        or path[-2].value is not base
    ):
        return False
    for part in path:
        if type(part) is ast.Attribute and part.attr in _SQLALCHEMY_STARTS:
            return False  # `Model.query` (Flask-SQLAlchemy) among them
        if (
            type(part) is ast.Call
            and type(part.func) is ast.Attribute
            and part.func.attr == "get"
            and part.args
        ):
            return False  # `session.get(Model, key)` is SQLAlchemy's too
    return True


def django_key_values(path: list[ast.AST]) -> list[ast.expr] | None:
    """For a chain (`chain_below`) only the Django dialect reads, on `Cls.attr`, the
    values of the keyword arguments that may be a key or an `__iexact` lookup (module
    docstring); None for any other chain."""
    if not django_only(path):
        return None
    values: list[ast.expr] = []
    for part in path:
        if type(part) is not ast.Call or type(part.func) is not ast.Attribute:
            continue
        method = part.func.attr
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


def reads_any(expr: ast.AST, names: set[str]) -> bool:
    """Does `expr` refer to one of `names` (as `syntax.names_read` reads it: any name
    below it, lambda parameters too, which LibCST spells as names)?"""
    for node in ast.walk(expr):
        kind = type(node)
        if kind is ast.Name and node.id in names:
            return True
        if kind is ast.arg and node.arg in names:
            return True
    return False


def key_reads_any(path: list[ast.AST], names: set[str]) -> bool:
    """Does the chain (`chain_below`, its top first) read one of `names` where a check
    may key or report it: a chain only the Django dialect reads in a keyword that may be
    a key or an `__iexact` lookup (`django_key_values`), any other chain anywhere?"""
    keyed = django_key_values(path)
    if keyed is None:
        return reads_any(path[0], names)
    return any(reads_any(value, names) for value in keyed)
