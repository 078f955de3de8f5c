"""Awaited HTTP requests on a client the code shows to be an async HTTP client.

`await client.get(url)` is a request, not a database call, when `client` is an
`httpx.AsyncClient` or an `aiohttp.ClientSession` by what the caller shows: a parameter
annotated as one, `async with httpx.AsyncClient(...) as client`, or `client =
httpx.AsyncClient(...)` (every binding of the name showing one), or `self.client` for an
attribute the method's class annotates as one. Such a client serves concurrent
requests, so two requests on it are not two statements on one `AsyncSession`. GET, HEAD
and OPTIONS are idempotent reads; every other method changes (or may change) what the
server holds, so it counts as a write (`http_methods`).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.http_methods import CLIENT_CLASSES, REQUEST_METHODS
from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import named_params
from n1fix.cst.syntax import target_names, walk_kinds


def http_clients(
    ctx,
    function: cst.FunctionDef,
    owner: str | None = None,
    self_name: str | None = None,
) -> dict[str, str]:
    """Names of the function that hold an async HTTP client -> its class
    (`httpx.AsyncClient`): every binding of the name (parameter, assignment, `with ...
    as`, loop target, import, `global`) shows the same client class. In a method of
    `owner` (a class of this module), also `self.client` for an attribute the class
    annotates as a client."""
    classes: dict[str, set[str | None]] = {}
    if owner is not None and self_name is not None:
        for attribute, cls in _annotated_attributes(ctx, owner).items():
            classes[f"{self_name}.{attribute}"] = {cls}
    for param in named_params(function.params):
        annotation = param.annotation
        classes.setdefault(param.name.value, set()).add(
            _class_named(ctx, annotation.annotation) if annotation else None
        )
    for name, cls in _bindings(ctx, function.body):
        classes.setdefault(name, set()).add(cls)
    return {
        name: next(iter(found))
        for name, found in classes.items()
        if len(found) == 1 and None not in found
    }


# The classes of the module last asked about, each read once: every method of a class
# asks about the same class.
_READ: list = [None, None, {}]


def _annotated_attributes(ctx, owner: str) -> dict[str, str | None]:
    """Attributes of the class `owner` (its dotted path in this module) annotated in its
    body (`client: httpx.AsyncClient`) or in a method (`self.client: httpx.AsyncClient
    = ...`) -> the client class, or None when an annotation says something else."""
    if _READ[0] is not ctx.module or _READ[1] is not ctx.imports:
        _READ[:] = [ctx.module, ctx.imports, {}]  # the imports name the classes
    known = _READ[2].get(owner)
    if known is None:
        known = _READ[2][owner] = _read_attributes(ctx, owner)
    return known


def _read_attributes(ctx, owner: str) -> dict[str, str | None]:
    node: cst.CSTNode | None = ctx.module
    for part in owner.split("."):
        body = node.body.body if isinstance(node, cst.ClassDef) else node.body
        node = next(
            (s for s in body if isinstance(s, cst.ClassDef) and s.name.value == part),
            None,
        )
        if node is None:
            return {}
    found: dict[str, str | None] = {}

    def note(name: str, cls: str | None) -> None:
        found[name] = cls if found.get(name, cls) == cls else None

    for statement in node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(
                    small.target, cst.Name
                ):
                    note(
                        small.target.value,
                        _class_named(ctx, small.annotation.annotation),
                    )
        elif isinstance(statement, cst.FunctionDef):
            params = named_params(statement.params)
            if not params:
                continue
            self_name = params[0].name.value
            for small in walk_kinds(statement.body, _ANNOTATED):
                if (
                    isinstance(small, cst.AnnAssign)
                    and isinstance(small.target, cst.Attribute)
                    and dotted_name(small.target.value) == self_name
                ):
                    note(
                        small.target.attr.value,
                        _class_named(ctx, small.annotation.annotation),
                    )
    return {name: cls for name, cls in found.items() if cls is not None}


_ANNOTATED = frozenset({cst.AnnAssign})


def _bindings(ctx, body: cst.CSTNode):
    """(name, client class or None) for every binding in `body`, nested scopes aside."""
    proven: dict[int, str | None] = {}  # binding node -> the client class it binds
    for node in walk_kinds(body, _PROVING):
        if isinstance(node, cst.WithItem) and node.asname is not None:
            if isinstance(node.asname.name, cst.Name):
                proven[id(node.asname)] = _constructed(ctx, node.item)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    proven[id(target)] = _constructed(ctx, node.value)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            proven[id(node)] = (
                _class_named(ctx, node.annotation.annotation)
                if node.value is None
                else _constructed(ctx, node.value)
            )
    for node in walk_kinds(body, _BINDING):
        if isinstance(node, cst.AsName):
            names = target_names(node.name)
        elif isinstance(
            node,
            (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr),
        ):
            names = target_names(node.target)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            names = {item.name.value for item in node.names}
        elif isinstance(node, cst.ImportAlias):
            names = {_import_name(node)}
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            names = {node.name.value}
        else:
            continue
        for name in names:
            yield name, proven.get(id(node))


_PROVING = frozenset({cst.WithItem, cst.Assign, cst.AnnAssign})
_BINDING = frozenset(
    {
        cst.AsName,
        cst.AssignTarget,
        cst.AnnAssign,
        cst.AugAssign,
        cst.For,
        cst.NamedExpr,
        cst.Global,
        cst.Nonlocal,
        cst.ImportAlias,
        cst.FunctionDef,
        cst.ClassDef,
    }
)


def _import_name(alias: cst.ImportAlias) -> str:
    """The name `import a.b` / `import a as b` / `from m import a` binds."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    root = alias.name
    while isinstance(root, cst.Attribute):
        root = root.value
    return root.value if isinstance(root, cst.Name) else ""


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
