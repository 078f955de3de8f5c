"""`session.merge(M(id=uuid4().hex, ...))` -> `session.add(M(id=uuid4().hex, ...))`: the
object is new by construction, so it is added without merge's lookup. On an
AsyncSession `merge` is awaited and `add` is not: the `await` goes."""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.lazy_load_in_loop.rewrite import ReplaceNode
from n1fix.rules.write_in_loop.fresh_merge import FreshMergePlan


def fix_fresh_merge(ctx, plan: FreshMergePlan) -> cst.Module:
    call = plan.call
    added = call.with_changes(
        func=call.func.with_changes(attr=cst.Name("add")),
    )
    return ctx.module.visit(ReplaceNode(plan.node, added))
