"""The `first-row-via-all` rewrite: `.limit(1)` on the statement, `.all()[0]` kept."""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.fetched_rows import V2
from n1fix.cst.errors import FixFailed
from n1fix.rules.base import Finding
from n1fix.rules.first_row_via_all.analysis import LimitPlan


def fix(ctx, finding: Finding) -> cst.Module:
    plan = finding.plan
    if not isinstance(plan, LimitPlan):
        raise FixFailed("no plan")
    rows = plan.rows
    limited = _limited(rows.statement)
    if rows.style == V2:
        return ctx.module.deep_replace(rows.statement, limited)
    # 1.x: `<query>.all()` -> `<query>.limit(1).all()`
    all_call = rows.node
    new = all_call.with_changes(func=all_call.func.with_changes(value=limited))
    return ctx.module.deep_replace(all_call, new)


def _limited(statement: cst.BaseExpression) -> cst.Call:
    """`<statement>.limit(1)`, on the statement's own line when its calls are one a
    line (black's chain layout)."""
    dot = cst.Dot()
    if isinstance(statement, cst.Call) and isinstance(statement.func, cst.Attribute):
        dot = statement.func.dot  # the layout the chain's last call has
    return cst.Call(
        func=cst.Attribute(value=statement, attr=cst.Name("limit"), dot=dot),
        args=[cst.Arg(cst.Integer("1"))],
    )
