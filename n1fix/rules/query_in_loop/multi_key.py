"""Queries keyed by several columns at once: `A.x == item.a, A.y == item.b`.

The batch is the one-column batch with a row value for its key: one query with
`tuple_(A.x, A.y).in_(keys)` over the tuples `(item.a, item.b)`, rows grouped by the
tuple of their key columns, and the loop reads `by_key.get((item.a, item.b))`. Each
column keeps the one-column contract: a nullable column with a key that may be None is
a gap (`A.x == None` is `IS NULL`, a row value with a NULL matches nothing), and a key
must have its column's Python type, or the tuples read from the rows would not equal
the tuples computed from the items.

Only SQLAlchemy queries whose key predicates are plain arguments of `where` / `filter`
/ `filter_by` are taken, so the batch can drop all but one of them and put the row
value in the place of that one.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.orm.dialect import Cardinality, Predicate, QueryShape, Style

SEVERAL_COLUMNS = (
    "the query is keyed by several columns at once; n1fix batches one-column keys"
)
_KEY_FILTERS = {"where", "filter", "filter_by"}
_BATCHED = {Cardinality.LIST, Cardinality.FIRST, Cardinality.OPTIONAL, Cardinality.ONE}


@dataclass(frozen=True)
class KeyPart:
    """One column of a key of several columns."""

    column: str  # the entity's attribute
    column_expr: cst.BaseExpression | None  # `A.x` as written (None: `filter_by`, get)
    key: cst.BaseExpression  # the value compared with it, as written at the query
    predicate: Predicate | None = None  # None for `session.get(A, (k1, k2))`


def key_predicates(
    shape: QueryShape, tied: list[Predicate], entity_code: str
) -> tuple[list[Predicate] | None, str]:
    """The predicates of a key of several columns, in the query's order; or None and why
    the query cannot be batched by them."""
    if shape.style not in (Style.V1, Style.V2):
        return None, SEVERAL_COLUMNS
    if shape.values_column is not None or shape.cardinality not in _BATCHED:
        return None, (
            "the query is keyed by several columns at once; n1fix batches such keys"
            " for queries of rows (a list, `.first()`, one or none), not counts,"
            " existence checks or one column's values"
        )
    attrs = [p.attr for p in tied]
    if len(set(attrs)) != len(attrs):
        return None, "the query compares one column with several per-item values"
    for pred in tied:
        if pred.object_key:
            return None, SEVERAL_COLUMNS
        if pred.model is not None and pred.model != entity_code:
            return None, (
                f"the key column `{pred.model}.{pred.attr}` is on a joined table,"
                f" not on `{entity_code}`"
            )
        if not _plain_argument(pred):
            return None, (
                "a key predicate sits inside `and_()` or another expression; n1fix"
                " batches keys of several columns written as arguments of"
                " `where`/`filter`/`filter_by`"
            )
    return list(tied), ""


def _plain_argument(pred: Predicate) -> bool:
    """`where(A.x == a, ...)`, `filter_by(x=a, ...)`: the predicate is an argument of its
    filter call, which the batch can drop or replace."""
    container = pred.container
    if not (
        isinstance(container.func, cst.Attribute)
        and container.func.attr.value in _KEY_FILTERS
    ):
        return False
    if pred.via_filter_by:
        return any(arg is pred.node for arg in container.args)
    return any(arg.value is pred.node for arg in container.args)


def key_tuple(values: list[cst.BaseExpression]) -> cst.Tuple:
    """`(a, b)`: the key of one item, as the lookup reads it."""
    return cst.Tuple(
        [cst.Element(value) for value in values],
        lpar=[cst.LeftParen()],
        rpar=[cst.RightParen()],
    )


def tuple_elements(key: cst.BaseExpression, count: int) -> list[cst.BaseExpression]:
    """The elements of a key tuple of `count` parts (the key restated in the item's terms
    keeps the tuple's shape)."""
    if not isinstance(key, cst.Tuple) or len(key.elements) != count:
        raise ValueError("a key of several columns is a tuple of one value a column")
    return [element.value for element in key.elements]


def get_key_parts(shape: QueryShape, model) -> tuple[list[KeyPart] | None, str | None]:
    """`session.get(A, (k1, k2))` on a model whose primary key has as many columns: one
    part a primary-key column, in the model's declared order. None (and why) when the key
    is not such a tuple; (None, None) when it is no composite key at all."""
    key = shape.get_key
    if not isinstance(key, cst.Tuple) or model is None:
        return None, None
    pk = model.primary_key
    if len(pk) < 2:
        return None, None
    if len(key.elements) != len(pk) or any(
        isinstance(e, cst.StarredElement) for e in key.elements
    ):
        return None, (
            f"the key tuple does not have one value for each of `{model.name}`'s"
            f" {len(pk)} primary-key columns"
        )
    return [
        KeyPart(column, None, element.value)
        for column, element in zip(pk, key.elements)
    ], None


GET_ORDER_GAP = (
    "`session.get()` reads its key tuple in the mapper's primary-key order, which n1fix"
    " takes to be the order the columns are declared in ({columns}); a"
    " `PrimaryKeyConstraint` or a mixin may order them otherwise"
)


def unique_columns(
    shape: QueryShape, model, parts: list[KeyPart], entity_code: str
) -> tuple[str, ...]:
    """The primary key or unique set of `model` within the key columns and the columns
    the query holds to one value (`== <loop-invariant>`): at most one row a key. Empty
    when nothing shows it."""
    key_preds = [p.predicate for p in parts]
    columns = {p.column for p in parts}
    if any(model.is_unique(c) for c in columns):
        return tuple(c for c in columns if model.is_unique(c))[:1]
    joins = {"join", "outerjoin", "join_from", "outerjoin_from", "select_from"}
    joined = any(mc.name in joins for mc in shape.statement_calls)
    fixed = {
        p.attr
        for p in shape.predicates
        if all(p is not k for k in key_preds)
        and p.attr
        and model.column(p.attr) is not None
        # `filter_by` after a join filters the joined model
        and (p.model == entity_code if p.model is not None else not joined)
    }
    wanted = columns | fixed
    for unique in (model.primary_key, *model.unique_sets):
        if unique and set(unique) <= wanted:
            return tuple(unique)
    return ()
