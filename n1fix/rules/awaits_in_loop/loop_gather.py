"""Awaits in a loop: `for x in xs: out.append(await fetch(x))`, one round trip per item.

When the awaited call is a query keyed by the item, the query-in-loop rule reports it
with a batch rewrite, the better fix; here are the others: database calls whose query
n1fix cannot batch. Gathering them is at best an unsafe fix, and only with a bound on
concurrency: an unbounded gather over many items can exhaust the connection pool.
`loop_gather` decides whether the bounded gather (`LoopGatherPlan`) applies, and when it
does not, names the condition that failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import libcst as cst

from n1fix.analysis.await_calls import AwaitedCall, CallerScope, describe, impure
from n1fix.analysis.item_facts import bindings, reiterable
from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import all_names, names_assigned, names_read, target_names, walk

# SQLAlchemy's QueuePool default (`create_engine(pool_size=5)`): the connections a pool
# keeps; more at once come from its overflow, or wait.
DEFAULT_POOL_SIZE = 5


@dataclass
class LoopGatherPlan:
    """`for x in xs: out[k] = await f(x)` -> a semaphore, a bounded helper and one gather."""

    loop: cst.For
    call: cst.Call
    shape: str  # "append" (`out.append(await f(x))`), "setitem" (`out[k] = await f(x)`) or "bare"
    container: cst.BaseExpression | None  # `out`
    key: cst.BaseExpression | None  # `k`
    iter_reiterable: (
        bool  # the setitem shape iterates the items twice (gather, then zip)
    )
    bound: int
    bound_source: str  # where the bound came from, for the comment beside it


def awaits_in_loops(
    ctx, function: cst.FunctionDef, scope: CallerScope
) -> Iterator[tuple[cst.For, AwaitedCall]]:
    for loop in walk(function.body):
        if (
            not isinstance(loop, cst.For)
            or not isinstance(loop.body, cst.IndentedBlock)
            or _chunked(loop)
        ):
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
            if (
                not member.queries
                or member.writes
                or member.unknown
                or _batchable(ctx, scope, call, member)
            ):
                continue
            yield loop, member


def _chunked(loop: cst.For) -> bool:
    """`for start in range(0, len(rows), size)`: the batching was done on purpose."""
    it = loop.iter
    return (
        isinstance(it, cst.Call)
        and dotted_name(it.func) == "range"
        and len(it.args) == 3
    )


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
        target = (
            names[0].value
            if len(names) == 1 and isinstance(names[0], cst.Name)
            else None
        )
    elif (
        isinstance(small, cst.Expr)
        and isinstance(value, cst.Call)
        and len(value.args) == 1
    ):
        if isinstance(value.func, cst.Attribute) and value.func.attr.value in (
            "append",
            "add",
        ):
            value = value.args[0].value
    if isinstance(value, cst.Await) and isinstance(value.expression, cst.Call):
        return target, value.expression
    return None


def _batchable(ctx, scope: CallerScope, call: cst.Call, member: AwaitedCall) -> bool:
    """query-in-loop's territory: a session method, or a project function running a keyed query."""
    if (
        isinstance(call.func, cst.Attribute)
        and scope.is_session(call.func.value) is not None
    ):
        return True
    functions = ctx.project.functions
    name = dotted_name(call.func)
    if functions is None or name is None:
        return False
    qualified = scope.qualify(name)
    return bool(qualified) and functions.resolve(qualified) is not None


def loop_gather(
    ctx, function: cst.FunctionDef, loop: cst.For, member: AwaitedCall
) -> tuple[LoopGatherPlan | None, str]:
    """The bounded-gather plan for an await in a loop, or None and the condition that failed."""
    shared = next(iter(member.sessions), None)
    if shared is not None:
        return (
            None,
            f"every call uses `{shared}`, which must not run two statements at once",
        )
    if not member.own_session:
        return None, f"{member.label} is not known to open a session of its own"
    if loop.asynchronous is not None:
        return None, "it is an `async for` (its items arrive one at a time)"
    if _in_guarded_try(function, loop):
        return None, (
            "the loop sits in a `try` with `except` handlers, and under `asyncio.gather` the first error to "
            "happen (not the first item's) reaches the handler while the other reads still run"
        )
    if loop.orelse is not None:
        return None, "the loop has an `else` clause"
    if len(loop.body.body) != 1:
        return (
            None,
            "the loop body does more than the one await (its other statements would run in a different order)",
        )
    if not _simple_target(loop.target):
        return (
            None,
            f"the loop target `{ctx.code(loop.target)}` is not a name or a tuple of names",
        )
    shape = _shape(member.statement)
    if shape is None:
        return None, (
            "n1fix rewrites only `out.append(await f(x))`, `out[key] = await f(x)` and a bare `await f(x)` "
            "as the loop body"
        )
    kind, container, key = shape
    if member.effects is not None:
        return (
            None,
            f"the argument `{member.effects}` has effects of its own (gather evaluates every argument before any call starts)",
        )
    changed = names_read(container) if container is not None else set()
    if changed & all_names(member.call):
        return (
            None,
            f"{member.label} reads `{ctx.code(container)}`, which the loop fills",
        )
    if key is not None:
        if impure(key) is not None:
            return None, f"the key `{ctx.code(key)}` has effects of its own"
        if changed & all_names(key):
            return (
                None,
                f"the key `{ctx.code(key)}` reads `{ctx.code(container)}`, which the loop fills",
            )
    if kind == "append" and not _a_list(container, function):
        return (
            None,
            f"n1fix cannot tell that `{ctx.code(container)}` is a list (`extend` would replace the appends)",
        )
    if kind != "setitem":
        # The rewrite binds the loop target only inside the gather's generator.
        leaked = target_names(loop.target) & _names_outside(function, loop)
        if leaked:
            return (
                None,
                f"`{sorted(leaked)[0]}` is read outside the loop, which leaves it bound to the last item",
            )
    iter_reiterable = kind != "setitem" or reiterable(loop.iter, [function, loop], 0)
    bound, source = DEFAULT_POOL_SIZE, "SQLAlchemy's default pool_size"
    return LoopGatherPlan(
        loop, member.call, kind, container, key, iter_reiterable, bound, source
    ), ""


def _in_guarded_try(function: cst.FunctionDef, loop: cst.For) -> bool:
    return any(
        isinstance(node, (cst.Try, cst.TryStar))
        and node.handlers
        and any(n is loop for n in walk(node.body))
        for node in walk(function.body)
    )


def _simple_target(target: cst.BaseExpression) -> bool:
    if isinstance(target, cst.Name):
        return True
    return isinstance(target, cst.Tuple) and all(
        isinstance(e, cst.Element) and isinstance(e.value, cst.Name)
        for e in target.elements
    )


def _shape(
    statement: cst.SimpleStatementLine,
) -> tuple[str, cst.BaseExpression | None, cst.BaseExpression | None] | None:
    """("append", out, None), ("setitem", out, key) or ("bare", None, None)."""
    small = statement.body[0]
    if isinstance(small, cst.Assign):
        if len(small.targets) != 1 or not isinstance(
            small.targets[0].target, cst.Subscript
        ):
            return None
        target = small.targets[0].target
        if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
            return None
        return "setitem", target.value, target.slice[0].slice.value
    if not isinstance(small, cst.Expr):
        return None
    value = small.value
    if isinstance(value, cst.Await):
        return "bare", None, None
    func = value.func if isinstance(value, cst.Call) else None
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value == "append"
        and value.args[0].keyword is None
        and not value.args[0].star
    ):
        if isinstance(func.value, cst.Name):
            return "append", func.value, None
    return None


def _a_list(container: cst.BaseExpression, function: cst.FunctionDef) -> bool:
    """Every binding of `out` in the function makes a list: `[]`, `[...]`, `list(...)`, `out: list[T] = ...`."""
    found = bindings(container.value, [function])
    if not found:
        return False
    for value, annotation in found:
        if annotation is not None:
            head = (
                annotation.value
                if isinstance(annotation, cst.Subscript)
                else annotation
            )
            if (dotted_name(head) or "").rpartition(".")[2] not in ("list", "List"):
                return False
        elif not (
            isinstance(value, (cst.List, cst.ListComp))
            or (isinstance(value, cst.Call) and dotted_name(value.func) == "list")
        ):
            return False
    return True


def _names_outside(function: cst.FunctionDef, loop: cst.For) -> set[str]:
    """Names used anywhere in the function but inside `loop` (nested scopes included)."""
    found: set[str] = set()
    stack = [function.body]
    while stack:
        node = stack.pop()
        if node is loop:
            continue
        if isinstance(node, cst.Name):
            found.add(node.value)
        stack.extend(node.children)
    return found
