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

from n1fix.analysis.dict_items import dict_targets
from n1fix.analysis.item_facts import str_targets
from n1fix.analysis.item_keys import judge_key
from n1fix.cst.loop_frames import Frame
from n1fix.cst.statements import is_name_assignment, sole_small_statement
from n1fix.cst.syntax import names_assigned


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
    query_statement = next(
        (n for n in ancestry[frame.index + 2 :] if any(n is b for b in body.body)), None
    )
    values: dict[str, cst.BaseExpression] = {}
    for name in sorted(names):
        binding = None
        for statement in body.body:
            if statement is query_statement:
                break
            small = sole_small_statement(statement)
            if is_name_assignment(small) and small.targets[0].target.value == name:
                binding = statement
                break
        if binding is None:
            return None, f"`{name}` is not {verb} by one plain `=` before the query"
        # Bound once before the query, and nowhere else in the body (`+=`, a loop, `as`).
        if any(
            name in names_assigned(statement)
            for statement in body.body
            if statement is not binding
        ):
            return None, f"`{name}` is bound more than once in the loop body"
        value = sole_small_statement(binding).value
        problem = judge_key(
            value,
            frame,
            invariant,
            ctx.module,
            str_names=str_targets(frame, ancestry),
            dict_names=dict_targets(frame, ancestry),
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
