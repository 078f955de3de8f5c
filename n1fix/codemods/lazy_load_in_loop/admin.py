"""Add `list_select_related = (...)` to a Django admin class, after its `list_display`;
`queryset = ...` to a class view, after its `model`."""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.lazy_load_in_loop.rewrite import broken_like_black
from n1fix.rules.lazy_load_in_loop.admin import AdminPlan
from n1fix.rules.lazy_load_in_loop.templates import QuerysetPlan


def fix_admin(ctx, plan: AdminPlan) -> cst.Module:
    lookups = ", ".join(f'"{lookup}"' for lookup in plan.lookups)
    if len(plan.lookups) == 1:
        lookups += ","
    added = cst.parse_statement(
        f"list_select_related = ({lookups})\n", config=ctx.module.config_for_parsing
    )
    return ctx.module.visit(_InsertAfter(plan.after, added))


def fix_view_queryset(ctx, plan: QuerysetPlan) -> cst.Module:
    """`queryset = Book.objects.select_related("author")` after `model = Book`, broken
    the way black would when it does not fit the line."""
    indent = _indent_of(ctx, plan.after)
    text = plan.text
    if indent + len("queryset = ") + len(text) > ctx.project.line_length:
        broken = broken_like_black(
            cst.parse_expression(text), indent, ctx.project.line_length
        )
        if broken is not None:
            text = broken  # LibCST indents its lines with the class body
    added = cst.parse_statement(
        f"queryset = {text}\n", config=ctx.module.config_for_parsing
    )
    return ctx.module.visit(_InsertAfter(plan.after, added))


def _indent_of(ctx, statement: cst.BaseStatement) -> int:
    """The column a class body's statement starts at."""
    return ctx.range_of(statement).start.column


class _InsertAfter(cst.CSTTransformer):
    def __init__(self, after: cst.BaseStatement, added: cst.BaseStatement) -> None:
        self.after, self.added = after, added

    def on_leave(self, original, updated):
        if original is self.after:
            return cst.FlattenSentinel([updated, self.added])
        return updated
