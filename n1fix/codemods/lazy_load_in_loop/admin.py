"""Add `list_select_related = (...)` to a Django admin class, after its `list_display`."""

from __future__ import annotations

import libcst as cst

from n1fix.rules.lazy_load_in_loop.admin import AdminPlan


def fix_admin(ctx, plan: AdminPlan) -> cst.Module:
    lookups = ", ".join(f'"{lookup}"' for lookup in plan.lookups)
    if len(plan.lookups) == 1:
        lookups += ","
    added = cst.parse_statement(
        f"list_select_related = ({lookups})\n", config=ctx.module.config_for_parsing
    )
    return ctx.module.visit(_InsertAfter(plan.after, added))


class _InsertAfter(cst.CSTTransformer):
    def __init__(self, after: cst.BaseStatement, added: cst.BaseStatement) -> None:
        self.after, self.added = after, added

    def on_leave(self, original, updated):
        if original is self.after:
            return cst.FlattenSentinel([updated, self.added])
        return updated
