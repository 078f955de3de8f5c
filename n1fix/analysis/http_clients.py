"""Awaited HTTP requests on a client the code shows to be an async HTTP client.

`await client.get(url)` is a request, not a database call, when `client` is an
`httpx.AsyncClient` or an `aiohttp.ClientSession` by what the caller shows: a parameter
annotated as one, `async with httpx.AsyncClient(...) as client`, or `client =
httpx.AsyncClient(...)` (every assignment of the name). Such a client serves concurrent
requests, so two requests on it are not two statements on one `AsyncSession`. GET, HEAD
and OPTIONS are idempotent reads; every other method changes (or may change) what the
server holds, so it counts as a write (`http_methods`).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.http_methods import CLIENT_CLASSES, REQUEST_METHODS
from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import walk


def http_clients(ctx, function: cst.FunctionDef) -> dict[str, str]:
    """Names of the function that hold an async HTTP client -> its class
    (`httpx.AsyncClient`)."""
    found: dict[str, str] = {}
    for param in named_params(function.params):
        if param.annotation is not None:
            cls = _client_class(ctx, param.annotation.annotation)
            if cls is not None:
                found[param.name.value] = cls
    assigned: dict[str, list[str | None]] = {}
    for node in walk(function.body):
        if isinstance(node, cst.WithItem) and isinstance(
            getattr(node.asname, "name", None), cst.Name
        ):
            assigned.setdefault(node.asname.name.value, []).append(
                _constructed(ctx, node.item)
            )
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    assigned.setdefault(target.target.value, []).append(
                        _constructed(ctx, node.value)
                    )
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            assigned.setdefault(node.target.value, []).append(
                _client_class(ctx, node.annotation.annotation)
                if node.value is None
                else _constructed(ctx, node.value)
            )
    for name, classes in assigned.items():
        known = set(classes) | ({found[name]} if name in found else set())
        if len(known) == 1 and None not in known:
            found[name] = known.pop()
        else:
            found.pop(name, None)  # bound to something else too: not proven a client
    return found


def request_of(call: cst.Call, clients: dict[str, str]) -> tuple[str, str] | None:
    """(client name, method) when `call` is a request method of a known client."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in REQUEST_METHODS:
        return None
    receiver = dotted_name(func.value)
    if receiver is None or receiver not in clients:
        return None
    return receiver, func.attr.value


def _constructed(ctx, expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Call):
        return _class_named(ctx, expr.func)
    return None


def _client_class(ctx, annotation: cst.BaseExpression) -> str | None:
    return _class_named(ctx, annotation)


def _class_named(ctx, expr: cst.BaseExpression) -> str | None:
    name = dotted_name(expr)
    if name is None:
        return None
    head, _, rest = name.partition(".")
    qualified = ctx.imports.get(head)
    if qualified is None:
        return None
    full = qualified + (f".{rest}" if rest else "")
    return full if full in CLIENT_CLASSES else None
