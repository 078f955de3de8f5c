"""Engines created per request or per item: `create_engine(...)` into a local name in a
loop, in a request handler, or in a function this module calls from one.

An engine is a connection pool. Made per call and dropped, each call pays a new
connection (and its TLS and authentication handshakes) and leaves the pool's
connections open until the garbage collector finds the engine; the database sees as
many idle connections as there were calls. An engine stored (on `self`, in a global or
a container: a registry of engines, one per database) or returned is not one per call.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.syntax import COMPREHENSIONS, SCOPES, walk
from n1fix.rules.base import Finding
from n1fix.rules.connection_leak.gate import ENGINE_TEXT  # noqa: F401 - re-exported
from n1fix.rules.connection_leak.openers import qualified

ENGINE_MAKERS = frozenset(
    {
        "sqlalchemy.create_engine",
        "sqlalchemy.engine.create_engine",
        "sqlalchemy.engine_from_config",
        "sqlalchemy.engine.engine_from_config",
        "sqlalchemy.ext.asyncio.create_async_engine",
        "sqlalchemy.ext.asyncio.async_engine_from_config",
    }
)
# A module that may build an engine says so.
# Decorators that make a function a request handler (`@app.get("/")`, `@bp.route(...)`,
# Flask-AppBuilder's `@expose(...)`, DRF's `@api_view`, Pyramid's `@view_config`).
_HANDLER_DECORATORS = frozenset(
    {
        "route",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "websocket",
        "api_route",
        "expose",
        "api_view",
        "view_config",
    }
)
_LOOPS = (cst.For, cst.While, *COMPREHENSIONS)
NOTE = (
    "create the engine once (at module level, or cached) and reuse it: its pool then "
    "keeps a few connections open for every call"
)


def per_call_engines(ctx, rule) -> Iterable[Finding]:
    functions = [
        node
        for node in walk(ctx.module, into_scopes=True)
        if isinstance(node, cst.FunctionDef)
    ]
    made = {}  # function name -> engine calls it makes into a local name
    for function in functions:
        calls = list(_local_engines(ctx, function))
        if not calls:
            continue
        for call, in_loop in calls:
            if in_loop:
                yield _finding(ctx, rule, call, "once per item of a loop")
            elif is_handler(function):
                yield _finding(
                    ctx,
                    rule,
                    call,
                    f"once per request (`{function.name.value}` handles one)",
                )
            else:
                made.setdefault(function.name.value, []).append(call)
    if not made:
        return
    for function in functions:
        handler = is_handler(function)
        for node, ancestry in nodes_with_ancestry(
            function.body, lambda n, _: True, frozenset({cst.Call})
        ):
            if any(isinstance(a, SCOPES) for a in ancestry):
                continue
            callee = _own_call(node.func)
            if callee not in made or callee == function.name.value:
                continue
            looped = any(isinstance(a, _LOOPS) for a in ancestry)
            if not (looped or handler):
                continue
            where = (
                f"in a loop of `{function.name.value}`"
                if looped
                else f"by the request handler `{function.name.value}`"
            )
            for call in made.pop(callee):
                yield _finding(
                    ctx, rule, call, f"on every call of `{callee}`, called {where}"
                )


def _finding(ctx, rule, call: cst.Call, when: str) -> Finding:
    return rule.finding_at(
        ctx,
        call,
        f"`{ctx.code(call.func)}()` builds a new engine, and so a new connection pool, "
        f"{when}: each opens fresh database connections and leaves them open until the "
        "garbage collector finds the engine",
        fix_note=NOTE,
    )


def _local_engines(ctx, function: cst.FunctionDef):
    """(the engine call, whether it runs in a loop) for `name = create_engine(...)` in
    the function's own body, when the engine does not leave it."""
    for node, ancestry in nodes_with_ancestry(
        function.body, lambda n, _: True, frozenset({cst.Call})
    ):
        if any(isinstance(a, SCOPES) for a in ancestry):
            continue
        if qualified(ctx, node.func) not in ENGINE_MAKERS:
            continue
        parent = ancestry[-1]
        holder = ancestry[-2] if len(ancestry) > 1 else None
        if not (
            isinstance(parent, cst.Assign)
            and parent.value is node
            and len(parent.targets) == 1
            and isinstance(parent.targets[0].target, cst.Name)
        ) or not isinstance(holder, cst.SimpleStatementLine):
            continue
        name = parent.targets[0].target.value
        if _leaves(function, name):
            continue
        yield node, any(isinstance(a, _LOOPS) for a in ancestry)


def _leaves(function: cst.FunctionDef, name: str) -> bool:
    """Is the engine returned, yielded, stored anywhere but a local, or global?"""
    for node, ancestry in nodes_with_ancestry(
        function.body,
        lambda n, _: True,
        frozenset({cst.Name, cst.Global, cst.Nonlocal}),
    ):
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            if any(n.name.value == name for n in node.names):
                return True
            continue
        if node.value != name:
            continue
        if any(isinstance(a, SCOPES) for a in ancestry):
            return True
        parent = ancestry[-1]
        if isinstance(parent, (cst.Return, cst.Yield)):
            return True
        if isinstance(parent, cst.Assign) and parent.value is node:
            return True  # stored or aliased
        if isinstance(parent, (cst.Element, cst.DictElement)):
            return True  # in a container
    return False


def is_handler(function: cst.FunctionDef) -> bool:
    """A web request handler: decorated as a route, or taking `request` first."""
    for decorator in function.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        name = _called_name(expr)
        if name in _HANDLER_DECORATORS and isinstance(decorator.decorator, cst.Call):
            return True
        if name in ("api_view", "expose"):
            return True
    params = function.params.params
    first = [p.name.value for p in params[:2]]
    return "request" in first[:1] or (
        first[:1] in (["self"], ["cls"]) and first[1:] == ["request"]
    )


def _own_call(func: cst.BaseExpression) -> str | None:
    """`f` for `f(...)`, `self.f(...)` and `cls.f(...)`: a call of this module's own."""
    if isinstance(func, cst.Name):
        return func.value
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value in ("self", "cls")
    ):
        return func.attr.value
    return None


def _called_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None
