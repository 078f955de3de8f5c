"""The batch of a per-item query of one column's values (`session.scalars(select(A.x)
.where(A.key == k))`, `session.scalar(...)`, `session.query(A.x)...scalar()`).

The values carry no key to group by, so the batch selects the key column beside the
column (`select(A.key, A.x).where(A.key.in_(keys))`) and reads rows of two; the lookup
hands back values again, as the per-item query did: a list of them, the first, or the one.
"""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.query_in_loop.loop_keys import _target_name
from n1fix.codemods.query_in_loop.batch_parts import (
    _Batch,
    _BatchQuery,
    _by_keys,
    _dedented,
    _dict_comprehension,
    _in_predicate,
    _key_is_item_pk,
    _grouped_loop,
)
from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import INDENT, broken_expression, fits, joined_if_overlong
from n1fix.cst.names import NamePicker
from n1fix.orm.dialect import Cardinality, Style
from n1fix.rules.query_in_loop.analysis import LoopQueryPlan


def values_batch(
    ctx, plan: LoopQueryPlan, names: NamePicker, keys_ref: str, symbol
) -> _Batch:
    shape = plan.shape
    value_attr = shape.values_column.attr.value
    target_name = _target_name(plan)
    suffix = target_name if _key_is_item_pk(plan, target_name) else plan.key_column
    if suffix == "id" and keys_ref.isidentifier() and keys_ref.endswith("_ids"):
        suffix = keys_ref[:-1]  # `user_ids` of `User.id`: `email_by_user_id`
    key_code = ctx.code(plan.key)
    indent = ctx.range_of(plan.anchor).start.column
    if not ctx.keys_never_empty or plan.batch_guards:
        indent += len(INDENT)  # the query runs under `if keys:`
    limit = ctx.project.line_length

    card = plan.cardinality
    key_word = suffix if suffix.endswith("_id") else plan.key_column
    value_word = value_attr if value_attr != key_word else f"{value_attr}_value"
    if card in (Cardinality.OPTIONAL, Cardinality.ONE) and all(
        names.comprehension_variable_ok(word) for word in (key_word, value_word)
    ):
        # A comprehension's variables are its own.
        key_name, value_name = key_word, value_word
    else:
        key_name = names.pick(key_word, f"row_{key_word}")
        value_name = names.pick(value_word, f"row_{value_word}")
    row = f"{key_name}, {value_name}"
    source = _rows_source(ctx, plan, keys_ref)
    source = joined_if_overlong(source, indent, limit, prefix=len(f"    for {row} in "))
    if card in (Cardinality.OPTIONAL, Cardinality.ONE):
        group = names.pick(
            f"{value_attr}_by_{suffix}",
            *_by_keys(f"{value_attr}_by_", keys_ref, suffix),
        )
        fill = _dict_comprehension(
            group, f"{key_name}: {value_name}", f"for {row} in ", source, indent, limit
        )
        lookup = (
            f"{group}.get({key_code})"
            if card is Cardinality.OPTIONAL
            else f"{group}[{key_code}]"
        )
        return _Batch(f"{group} = {{}}", [fill], False, lookup)
    if not fits(f"for {row} in {source}:", indent, limit):
        source = broken_expression(cst.parse_expression(source)) or source
    if card in (Cardinality.FIRST, Cardinality.LIST):
        return _grouped_loop(
            first=card is Cardinality.FIRST,
            names=names,
            noun=value_attr,
            suffix=suffix,
            keys_ref=keys_ref,
            row=row,
            key=key_name,
            value=value_name,
            source=source,
            key_code=key_code,
            top_n=ctx.code(plan.top_n) if plan.top_n is not None else None,
            symbol=symbol,
            indent=indent,
            limit=limit,
        )
    raise FixFailed(f"no batched form for a {card.value} query of values")


def _rows_source(ctx, plan: LoopQueryPlan, keys_ref: str) -> str:
    """The batched query, as rows of (key, value): the key column selected first."""
    shape = plan.shape
    transformer = _KeyColumnFirst(plan, _in_predicate(plan, keys_ref, ctx.code))
    render = cst.Module([]).code_for_node
    if shape.style is Style.V1:  # `session.query(A.key, A.x).filter(...)`, no terminal
        return _dedented(ctx, plan, render(shape.node.visit(transformer)))
    if transformer.statement is None:
        raise FixFailed("the statement the query runs was not found")
    statement = transformer.statement.visit(transformer)
    statement = statement.with_changes(lpar=[], rpar=[])
    awaited = "await " if shape.is_async else ""
    source = f"{awaited}{render(shape.session)}.execute({render(statement)})"
    return _dedented(ctx, plan, source)


class _KeyColumnFirst(_BatchQuery):
    """The batched query, with the key column selected in front of the value's."""

    def _leave_call(self, original: cst.Call, updated: cst.Call):
        updated = super()._leave_call(original, updated)
        if original is self.shape.select_call and isinstance(updated, cst.Call):
            key = cst.parse_expression(
                _code(self.plan.column_expr)
                if self.plan.column_expr is not None
                else f"{self.plan.entity_code}.{self.plan.key_column}"
            )
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            updated = updated.with_changes(
                args=[cst.Arg(key, comma=comma), *updated.args]
            )
        return updated


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
