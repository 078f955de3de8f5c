"""An existing batch variant that returns the rows, not a dict by key.

Projects often have the many-keys query beside the one-key one, written as a plain list:

    def find_by_name(name):
        return db.session.query(Tag).filter(Tag.name == name).first()

    def find_by_names(names):
        return db.session.query(Tag).filter(Tag.name.in_(names)).all()

A loop calling `find_by_name` per item can call `find_by_names` once and key its rows
by the column (`{tag.name: tag for tag in TagDAO.find_by_names(names)}`, then `.get(name)`
per item) when that is what the original gives per key: the variant's body is the
original's, word for word, but for the key's comparison made an `in_()` over the list and
the one-row terminal made `.all()`; the original returns at most one row per key
(`.first()` or `.one_or_none()` on a unique column: a dict of the rows keeps one row a
key, and a missing key gives None as the original did). Anything else is not shown to be
the same query, and gets no fix.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.method_syntax import find_function, named_params, tail_block
from n1fix.cst.statements import sole_small_statement
from n1fix.cst.syntax import names_read
from n1fix.orm.dialect import Cardinality, QueryFunction

_ONE_ROW = {
    "first": Cardinality.FIRST,
    "one_or_none": Cardinality.OPTIONAL,
}


def rows_key(
    module: cst.Module,
    owner: str | None,
    name: str,
    callee: QueryFunction,
    key: str,
    keys: str,
    key_column: str,
    model,
) -> str | None:
    """The attribute to key the existing variant `name`'s rows by (the key column), when
    it returns the original's rows for a list of keys; None otherwise."""
    if model is None or not model.is_unique(key_column):
        return None
    original = find_function(module, owner, callee.name)
    variant = find_function(module, owner, name)
    if original is None or variant is None:
        return None
    if not _same_decorators(original, variant) or _signature(
        variant, drop_first=owner is not None
    ) != [keys if p == key else p for p in callee.params]:
        return None
    one = _returned(original)
    many = _returned(variant)
    if one is None or many is None:
        return None
    expected = _as_many(one, key, keys, model.name, key_column)
    if expected is None:
        return None
    code = cst.Module([]).code_for_node
    if _normal(code(expected)) != _normal(code(many)):
        return None
    return key_column


def _signature(function: cst.FunctionDef, drop_first: bool) -> list[str]:
    params = [p.name.value for p in named_params(function.params)]
    if drop_first and params and params[0] in ("self", "cls"):
        params = params[1:]
    return params


def _same_decorators(a: cst.FunctionDef, b: cst.FunctionDef) -> bool:
    code = cst.Module([]).code_for_node
    return [code(d.decorator) for d in a.decorators] == [
        code(d.decorator) for d in b.decorators
    ]


def _returned(function: cst.FunctionDef) -> cst.BaseExpression | None:
    """The value of a body that is one `return` (after the docstring)."""
    statements, _ = tail_block(function)
    if len(statements) != 1:
        return None
    small = sole_small_statement(statements[0])
    if isinstance(small, cst.Return) and small.value is not None:
        return small.value
    return None


def _as_many(
    query: cst.BaseExpression, key: str, keys: str, model: str, column: str
) -> cst.BaseExpression | None:
    """The original's query for many keys: its one-row terminal made `.all()`, and its one
    comparison of the key column with the key made `in_()` over the keys."""
    if not (
        isinstance(query, cst.Call)
        and isinstance(query.func, cst.Attribute)
        and query.func.attr.value in _ONE_ROW
        and not query.args
    ):
        return None
    swapped = _KeyToKeys(key, keys, model, column)
    body = query.func.value.visit(swapped)
    if swapped.count != 1 or key in names_read(body):
        return None  # no comparison with the key, several, or the key used elsewhere
    return cst.Call(func=cst.Attribute(value=body, attr=cst.Name("all")))


class _KeyToKeys(cst.CSTTransformer):
    """`Model.column == key` -> `Model.column.in_(keys)`; any other use of the key
    (`filter_by(column=key)`) is left as it is."""

    def __init__(self, key: str, keys: str, model: str, column: str) -> None:
        self.key, self.keys, self.model, self.column = key, keys, model, column
        self.count = 0

    def leave_Comparison(self, original, updated):
        if (
            len(original.comparisons) == 1
            and isinstance(original.comparisons[0].operator, cst.Equal)
            and _is_column(original.left, self.model, self.column)
            and isinstance(original.comparisons[0].comparator, cst.Name)
            and original.comparisons[0].comparator.value == self.key
        ):
            self.count += 1
            return cst.Call(
                func=cst.Attribute(value=original.left, attr=cst.Name("in_")),
                args=[cst.Arg(cst.Name(self.keys))],
            )
        return updated


def _is_column(expr, model: str, column: str) -> bool:
    return (
        isinstance(expr, cst.Attribute)
        and expr.attr.value == column
        and isinstance(expr.value, cst.Name)
        and expr.value.value in (model, "cls")
    )


def _normal(code: str) -> str:
    return "".join(code.split())
