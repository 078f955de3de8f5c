"""What a recognised query reads: the columns it names, the model a count compares against."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.syntax import walk
from n1fix.orm.dialect import QueryShape


def counted_model(shape: QueryShape) -> str:
    """For a column or count query, the model its predicates compare against."""
    return next((p.model for p in shape.predicates if p.model), "the query")


def columns_read(shape: QueryShape, key_column: str) -> set[str]:
    """Every `Model.column` the statement names (filters of any form, ORDER BY): a loop that
    assigns one of them on a loaded object changes what the query would find."""
    cols = {key_column}
    for pred in shape.predicates:
        if pred.attr:
            cols.add(pred.attr)
    for mc in shape.statement_calls:
        for node in walk(mc.call):
            if (
                isinstance(node, cst.Attribute)
                and isinstance(node.value, cst.Name)
                and node.value.value[:1].isupper()
            ):
                cols.add(node.attr.value)
    for term in shape.order_by:
        base = term
        while isinstance(base, cst.Call) and isinstance(base.func, cst.Attribute):
            base = base.func.value
        if isinstance(base, cst.Call) and base.args:
            base = base.args[0].value
        if isinstance(base, cst.Attribute):
            cols.add(base.attr.value)
    return cols
