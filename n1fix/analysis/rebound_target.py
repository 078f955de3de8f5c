"""A loop variable the body rebinds to a pure function of itself, before the query.

`for dashboard_id in dashboard_ids: dashboard_id = int(dashboard_id)` and then a query
keyed by `dashboard_id`: the key is not the item as iterated, but it is `int(item)` for
every item, which a batch can compute again before the loop
(`[int(dashboard_id) for dashboard_id in dashboard_ids]`). That holds only when the
rebinding is the body's one binding of the name, a top-level `name = value` statement
that runs before the query on every pass, and the value is a pure function of the item
(`item_keys.judge_key`): then, at the query, the name holds exactly that value.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.dict_items import dict_targets, undeclared_targets
from n1fix.analysis.item_facts import str_targets
from n1fix.analysis.item_keys import judge_key
from n1fix.analysis.path_bindings import binding_on_path, bound_once
from n1fix.cst.loop_frames import Frame
from n1fix.cst.statements import sole_small_statement


def rebound_key(
    ctx, key: cst.BaseExpression, rebound: set[str], frame: Frame, ancestry, invariant
) -> tuple[cst.BaseExpression | None, str | None]:
    """`key` restated in terms of the item as iterated, each rebound loop variable
    replaced by the value the body gives it; or None and why not."""
    return restate_bound_names(
        ctx, key, rebound, frame, ancestry, invariant, verb="rebound"
    )


def restate_bound_names(
    ctx,
    key: cst.BaseExpression,
    names: set[str],
    frame: Frame,
    ancestry,
    invariant,
    verb: str = "bound",
) -> tuple[cst.BaseExpression | None, str | None]:
    """`key` with each of `names` replaced by the value the `for` body binds it to: one
    top-level `name = value` before the query, the body's only binding of the name, and
    a pure function of the item (`item_keys.judge_key`; whether it may raise is judged
    again on the restated key). Gives the restated key, or None and why not."""
    body = frame.node.body
    values: dict[str, cst.BaseExpression] = {}
    for name in sorted(names):
        # At the top of the body or in a branch on the way to the query (`path_bindings`).
        binding = binding_on_path(name, frame, ancestry)
        if binding is None:
            return None, f"`{name}` is not {verb} by one plain `=` before the query"
        # Bound once before the query, and nowhere else in the body (`+=`, a loop, `as`).
        if not bound_once(name, body):
            return None, f"`{name}` is bound more than once in the loop body"
        value = sole_small_statement(binding).value
        problem = judge_key(
            value,
            frame,
            invariant,
            ctx.module,
            str_names=str_targets(frame, ancestry),
            dict_names=dict_targets(frame, ancestry),
            undeclared_names=undeclared_targets(frame, ancestry),
        ).problem
        if problem:
            return None, f"`{name} = {ctx.code(value)}`: {problem}"
        values[name] = value

    class _Restate(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return values.get(original.value, updated)

    if isinstance(key, cst.Name):
        return values.get(key.value, key), None
    return key.visit(_Restate()), None
