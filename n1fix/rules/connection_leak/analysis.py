"""Sessions and connections a function opens into a local name and does not close on
every path, and whether the `with` form keeps what the function does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import SCOPES, names_read, target_names, walk
from n1fix.rules.base import Applicability, Finding
from n1fix.rules.connection_leak.engines import ENGINE_TEXT, per_call_engines
from n1fix.rules.connection_leak.lifetime import lifetime, tainted_names
from n1fix.rules.connection_leak.openers import (
    ACQUIRE,
    ANY,
    ASYNC_CONNECTION,
    ASYNC_SESSION,
    ASYNCPG,
    BEGIN,
    CONNECTION,
    DBAPI,
    OPENER_METHODS,
    SAME_OBJECT,
    SESSION,
    Opener,
    opener,
)

_WORDS = {
    SESSION: "session",
    ASYNC_SESSION: "session",
    CONNECTION: "connection",
    ASYNC_CONNECTION: "connection",
    DBAPI: "connection",
    ASYNCPG: "connection",
    ACQUIRE: "pooled connection",
}
# Plain functions that read a value and keep nothing of it.
_KEEP_NOTHING = frozenset(
    {
        "print",
        "len",
        "list",
        "tuple",
        "dict",
        "set",
        "sorted",
        "str",
        "int",
        "float",
        "bool",
        "repr",
        "isinstance",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "enumerate",
        "zip",
    }
)
UNSAFE_NOTE = (
    "the function hands on what it read through the {what} ({names}): after `with` "
    "closes it, unloaded attributes of ORM objects and unread results can no longer "
    "be read, where before they were read from a {what} nobody had closed yet"
)


@dataclass
class WithPlan:
    """Open the object in a `with` around the rest of its block."""

    block: cst.IndentedBlock
    statement: cst.SimpleStatementLine  # `name = opener`
    name: str
    opened: cst.BaseExpression  # the opening expression, without its `await`
    asynchronous: bool  # `async with`
    closing: bool  # wrapped in `contextlib.closing(...)` (a DB-API connection)


def find(ctx, rule) -> Iterable[Finding]:
    mains = {id(f) for f in _script_mains(ctx.module)}
    lines = nodes_with_ancestry(
        ctx.module,
        lambda node, _: len(node.body) == 1 and _may_open(node.body[0]),
        frozenset({cst.SimpleStatementLine}),
    )
    for line, ancestry in lines:
        at = next(
            (
                i
                for i in range(len(ancestry) - 1, -1, -1)
                if isinstance(ancestry[i], SCOPES)
            ),
            None,
        )
        if at is None or not isinstance(ancestry[at], cst.FunctionDef):
            continue  # module or class level: the object lives as long as they do
        function = ancestry[at]
        if id(function) in mains:
            continue
        yield from _at_line(ctx, rule, function, line, ancestry[at + 1 :])
    if ENGINE_TEXT.search(ctx.text):
        yield from per_call_engines(ctx, rule)


def _may_open(small: cst.BaseSmallStatement) -> bool:
    """`name = call(...)` (or awaited) whose call could be an opener, by its shape."""
    if isinstance(small, cst.Assign):
        if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
            return False
    elif not (
        isinstance(small, cst.AnnAssign)
        and small.value is not None
        and isinstance(small.target, cst.Name)
    ):
        return False
    value = small.value
    if isinstance(value, cst.Await):
        value = value.expression
    while (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value in SAME_OBJECT
    ):
        value = value.func.value
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute):
        return func.attr.value in OPENER_METHODS
    return isinstance(func, (cst.Name, cst.Call))


def _script_mains(module: cst.Module) -> list[cst.FunctionDef]:
    """The top-level functions a script's `if __name__ == "__main__":` block calls: the
    process ends when they return, and with it every connection they left open."""
    called: set[str] = set()
    for statement in module.body:
        if (
            isinstance(statement, cst.If)
            and "__main__" in module.code_for_node(statement.test)
            and "__name__" in module.code_for_node(statement.test)
        ):
            called |= {
                node.func.value
                for node in walk(statement)
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
            }
    return [
        statement
        for statement in module.body
        if isinstance(statement, cst.FunctionDef) and statement.name.value in called
    ]


def _at_line(ctx, rule, function, line, ancestry) -> Iterable[Finding]:
    """The finding for `name = <opener>` on `line`, if any (`ancestry`: from the
    function's body down to the line's block)."""
    found = _opened_into_name(ctx, line.body[0], function)
    if found is None:
        return
    name, value, opened = found
    life = lifetime(function, name, opened)
    if life.escape or life.closed_on_error:
        return
    what = _WORDS.get(opened.kind, "connection")
    if opened.kind == BEGIN:
        yield rule.finding_at(
            ctx,
            opened.call,
            f"`{ctx.code(opened.call)}` outside `with`: `Engine.begin()` is a "
            "context manager; called without `with` it starts no transaction it "
            "commits, and on SQLAlchemy 1.x it checks out a connection nobody "
            "returns",
            fix_note="use `with ...begin() as conn:` around the statements",
        )
        return
    if life.closes:
        yield rule.finding_at(
            ctx,
            opened.call,
            f"the {what} `{name}` is closed only when nothing raises before "
            f"`{name}.close()`: an exception leaves it open (and its database "
            "connection checked out) until the garbage collector finds it; close it "
            "in `finally`, or open it with `with`",
            fix_note=f"the function already closes `{name}` on its normal path",
        )
        return
    message = (
        f"the {what} `{name}` is never closed: its database connection stays open "
        "(checked out of the pool) until the garbage collector finds it; open it "
        "with `with`"
    )
    plan, applicability, note = _plan(
        ctx, function, line, ancestry, name, value, opened
    )
    yield rule.finding_at(
        ctx, opened.call, message, applicability, fix_note=note, plan=plan
    )


def _opened_into_name(ctx, small, function):
    """(name, the value without `await`, the opener) for `name = <opener>`."""
    if isinstance(small, cst.Assign):
        if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name):
            return None
        name, value = small.targets[0].target.value, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        if not isinstance(small.target, cst.Name):
            return None
        name, value = small.target.value, small.value
    else:
        return None
    if isinstance(value, cst.Await):
        value = value.expression
    call = value
    while (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value in SAME_OBJECT
        and isinstance(call.func.value, cst.Call)
    ):
        call = call.func.value
    if not isinstance(call, cst.Call):
        return None
    if lifetime(function, name, Opener(ANY, call)).escape:
        return None  # decided before the costlier question of what the call opens
    opened = opener(ctx, call, function)
    return (name, value, opened) if opened is not None else None


def _plan(ctx, function, line, ancestry, name, value, opened: Opener):
    """(plan, applicability, note) for the `with` form."""
    none = Applicability.NONE
    is_async = function.asynchronous is not None
    awaited = isinstance(line.body[0].value, cst.Await)
    if opened.kind == ASYNCPG:
        return (
            None,
            none,
            (
                "asyncpg's connection has no `async with`: close it in `try/finally`, or "
                "acquire it from a pool with `async with pool.acquire() as conn:`"
            ),
        )
    if opened.kind in (ASYNC_CONNECTION, ACQUIRE) and not awaited:
        return None, none, f"`{name}` is not awaited where it is opened"
    if opened.kind in (ASYNC_SESSION, ASYNC_CONNECTION, ACQUIRE) and not is_async:
        return None, none, "an async session outside `async def`"
    block = ancestry[-1]
    if not isinstance(block, cst.IndentedBlock):
        return None, none, "the statement shares its line with its block's header"
    if _bindings(function, name) != 1:
        return None, none, f"`{name}` is bound more than once in the function"
    index = next(i for i, s in enumerate(block.body) if s is line)
    covered = block.body[index:]
    if len(covered) == 1:
        return None, none, f"`{name}` is not used after it is opened"
    tainted = tainted_names(function, name)
    late = _read_outside(ctx, function, covered, tainted, ancestry)
    if late:
        return (
            None,
            none,
            (
                f"`{late}` is read after the block where `with` would close the {_WORDS.get(opened.kind)}"
            ),
        )
    plan = WithPlan(
        block,
        line,
        name,
        value,
        asynchronous=opened.kind in (ASYNC_SESSION, ASYNC_CONNECTION, ACQUIRE),
        closing=opened.kind == DBAPI,
    )
    leaving = _handed_on(function, tainted, name)
    if leaving:
        names = ", ".join(f"`{n}`" for n in sorted(leaving))
        return (
            plan,
            Applicability.UNSAFE,
            UNSAFE_NOTE.format(what=_WORDS.get(opened.kind), names=names),
        )
    return plan, Applicability.SAFE, None


def _bindings(function: cst.FunctionDef, name: str) -> int:
    count = 0
    for node in walk(function.body):
        if isinstance(node, cst.AssignTarget) and name in target_names(node.target):
            count += 1
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign)) and (
            isinstance(node.target, cst.Name) and node.target.value == name
        ):
            count += 1
        elif isinstance(node, (cst.For, cst.CompFor)) and name in target_names(
            node.target
        ):
            count += 1
        elif (
            isinstance(node, cst.AsName)
            and isinstance(node.name, cst.Name)
            and node.name.value == name
        ):
            count += 1
    return count


def _read_outside(ctx, function, covered, tainted: set[str], ancestry) -> str | None:
    """A tainted name read where the `with` no longer holds: after the block, or in an
    enclosing loop before the open (the next time round)."""
    inside = {id(n) for statement in covered for n in walk(statement)}
    end = ctx.range_of(covered[-1]).end
    start = ctx.range_of(covered[0]).start
    loops = [a for a in ancestry if isinstance(a, (cst.For, cst.While))]
    for node in walk(function.body):
        if not isinstance(node, cst.Name) or node.value not in tainted:
            continue
        if id(node) in inside:
            continue
        where = ctx.range_of(node).start
        after = (where.line, where.column) > (end.line, end.column)
        looped = any(id(node) in {id(n) for n in walk(loop)} for loop in loops) and (
            where.line,
            where.column,
        ) < (start.line, start.column)
        if after or looped:
            return node.value
    return None


def _handed_on(function: cst.FunctionDef, tainted: set[str], name: str) -> set[str]:
    """The tainted names that leave the function: returned or yielded, stored on
    something that is not a local (a parameter, `self`, a global), or passed to a
    function that may keep them."""
    local = set()
    for node in walk(function.body):
        if isinstance(node, cst.AssignTarget):
            local |= target_names(node.target)
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)):
            local |= target_names(node.target)
        elif isinstance(node, cst.AsName):
            local |= target_names(node.name)
        elif isinstance(node, cst.NamedExpr):
            local |= target_names(node.target)
    for node in walk(function.body):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            local -= {n.name.value for n in node.names}
    leaving = {t for t in tainted if t not in local}
    for node in walk(function.body):
        if isinstance(node, (cst.Return, cst.Yield)) and node.value is not None:
            leaving |= names_read(node.value) & tainted
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value not in _KEEP_NOTHING
        ):
            for arg in node.args:
                leaving |= names_read(arg.value) & tainted
    return leaving
