"""Awaits in a loop: `for x in xs: out.append(await fetch(x))`, one round trip per item.

Reported, not rewritten (yet). When the awaited call is a query keyed by the item, the
query-in-loop rule reports it with a batch rewrite, the better fix; here are the others:
database calls whose query n1fix cannot batch. Gathering them is at best an unsafe fix,
and only with a bound on concurrency (a semaphore or chunks sized to the connection
pool): an unbounded gather over many items can exhaust the pool.
"""

from __future__ import annotations

from typing import Iterator

import libcst as cst

from n1fix.orm.query_shape import dotted_name
from n1fix.rules._await_calls import AwaitedCall, CallerScope, describe
from n1fix.rules._syntax import all_names, names_assigned, target_names, walk


def awaits_in_loops(ctx, function: cst.FunctionDef, scope: CallerScope) -> Iterator[tuple[cst.For, AwaitedCall]]:
    for loop in walk(function.body):
        if not isinstance(loop, cst.For) or not isinstance(loop.body, cst.IndentedBlock) or _chunked(loop):
            continue
        varying = target_names(loop.target) | names_assigned(loop.body)
        for statement in loop.body.body:
            found = _awaited_in(statement)
            if found is None:
                continue
            target, call = found
            if not (varying & all_names(call)):
                continue  # the same call every time: a different problem
            member = describe(ctx, scope, statement, target, None, call)
            # Only calls known to run a query and not to write: anything else may be a
            # write per item, a hook, or work that is not a round trip at all.
            if not member.queries or member.writes or member.unknown or _batchable(ctx, scope, call, member):
                continue
            yield loop, member


def _chunked(loop: cst.For) -> bool:
    """`for start in range(0, len(rows), size)`: the batching was done on purpose."""
    it = loop.iter
    return isinstance(it, cst.Call) and dotted_name(it.func) == "range" and len(it.args) == 3


def _awaited_in(statement: cst.CSTNode) -> tuple[str | None, cst.Call] | None:
    """`x = await f()`, `await f()`, `out.append(await f())`, `out[k] = await f()`."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    target = None
    value = getattr(small, "value", None)
    if isinstance(small, (cst.Assign, cst.AnnAssign)):
        targets = small.targets if isinstance(small, cst.Assign) else [small]
        names = [t.target for t in targets]
        target = names[0].value if len(names) == 1 and isinstance(names[0], cst.Name) else None
    elif isinstance(small, cst.Expr) and isinstance(value, cst.Call) and len(value.args) == 1:
        if isinstance(value.func, cst.Attribute) and value.func.attr.value in ("append", "add"):
            value = value.args[0].value
    if isinstance(value, cst.Await) and isinstance(value.expression, cst.Call):
        return target, value.expression
    return None


def _batchable(ctx, scope: CallerScope, call: cst.Call, member: AwaitedCall) -> bool:
    """query-in-loop's territory: a session method, or a project function running a keyed query."""
    if isinstance(call.func, cst.Attribute) and scope.is_session(call.func.value) is not None:
        return True
    functions = ctx.project.functions
    name = dotted_name(call.func)
    if functions is None or name is None:
        return False
    qualified = scope.qualify(name)
    return bool(qualified) and functions.resolve(qualified) is not None
