"""The `whole-rows-for-one-column` rewrite: the select()/query() names the column."""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.fetched_rows import DJANGO, V1
from n1fix.cst.errors import FixFailed
from n1fix.cst.names import NamePicker
from n1fix.rules.base import Finding
from n1fix.rules.whole_rows_for_one_column.analysis import ColumnPlan


def fix(ctx, finding: Finding) -> cst.Module:
    plan = finding.plan
    if not isinstance(plan, ColumnPlan):
        raise FixFailed("no plan")
    rows = plan.rows
    if rows.style == DJANGO:  # `list(<queryset>.values_list("attr", flat=True))`
        values = cst.parse_expression(
            f'list({ctx.code(rows.node)}.values_list("{plan.attr}", flat=True))'
        )
        values = values.with_changes(
            lpar=plan.comprehension.lpar, rpar=plan.comprehension.rpar
        )
        return ctx.module.deep_replace(plan.comprehension, values)
    head = rows.head
    entity = head.args[0].value
    column = cst.Attribute(value=entity, attr=cst.Name(plan.attr))
    new_head = head.with_changes(args=[head.args[0].with_changes(value=column)])
    if rows.style == V1:
        iterable = plan.comprehension.for_in.iter.deep_replace(head, new_head)
        name = _value_name(ctx, plan, entity)
        target = cst.Tuple([cst.Element(cst.Name(name))])
        new = plan.comprehension.with_changes(
            elt=cst.Name(name),
            for_in=plan.comprehension.for_in.with_changes(target=target, iter=iterable),
        )
    else:  # 2.0: the values themselves, as a list
        values = rows.node.deep_replace(head, new_head)
        new = values.with_changes(
            lpar=plan.comprehension.lpar, rpar=plan.comprehension.rpar
        )
    return ctx.module.deep_replace(plan.comprehension, new)


def _value_name(ctx, plan: ColumnPlan, entity: cst.BaseExpression) -> str:
    """`user_id` for `User.id`: the model's name in snake case, then the column's."""
    model = ctx.code(entity).rsplit(".", 1)[-1]
    snake = "".join("_" + c.lower() if c.isupper() else c for c in model).lstrip("_")
    wanted = plan.attr if plan.attr.startswith(snake) else f"{snake}_{plan.attr}"
    from n1fix.cst.statements import enclosing_function

    scope = enclosing_function(ctx, plan.comprehension) or ctx.module
    return NamePicker(scope, ctx.module).pick(wanted)
