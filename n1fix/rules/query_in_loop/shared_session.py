"""Writes the loop makes through the session its query reads, out of the body check's
sight: project code that reaches the application's session on its own.

A lookup per item on the application's session (Flask's `Model.query`, a module's
`session`, a helper module's `get(...)`) beside a call of project code that adds and
commits through it (`create(...)`) is get-or-create: a later item's lookup sees what an
earlier item wrote. With a key repeated, the original finds the row the first item
created; a batch run before the loop misses it for both and creates it twice (lemur's
`auth/views.py`: a unique violation that fails the login). So no fix, unless the keys are
shown distinct.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from n1fix.analysis.dict_items import shown_dict
from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import names_assigned, walk
from n1fix.rules.query_in_loop.wrapper_calls import _function, _project_module

_DISTINCT_BUILDERS = {"set", "frozenset"}
# What writes through a session (`database.create` -> `db.session.add(...)`, `commit()`).
_SESSION_WRITES = {
    "add",
    "add_all",
    "delete",
    "merge",
    "flush",
    "commit",
    "bulk_save_objects",
    "bulk_insert_mappings",
}
_WRITE_DEPTH = 3  # project calls followed below the one the loop makes


def project_writes_beside(
    ctx,
    frame: Frame,
    query: cst.CSTNode,
    ancestry: list[cst.CSTNode],
    reads_only,
    model: str | None,
) -> tuple[str | None, str | None]:
    """Project calls in the loop (besides `query`) that may write what a later item's
    lookup reads: (why the loop creates rows of the queried `model`, shown from the
    callee's body: it builds a `model(...)` and adds or commits through a session; why
    it may write). `reads_only(call)` says a call only reads."""
    parts = (
        [frame.node.body]
        if frame.is_for
        else [frame.node.elt if hasattr(frame.node, "elt") else frame.node]
        + [if_.test for clause in frame.clauses for if_ in clause.ifs]
    )
    inside_query = {id(n) for n in [query, *walk(query)]}
    function = _enclosing_function(ancestry)
    # a local name shadows the module's function of that name (`titles = []` in `titles`)
    own = _module_functions(ctx.module) - (
        _local_names(function) if function is not None else set()
    )
    maybe = None
    for part in parts:
        for node in [part, *walk(part)]:
            if not isinstance(node, cst.Call) or id(node) in inside_query:
                continue
            if reads_only(node):
                continue
            name = _project_callee(ctx, node.func, own, function)
            if name is None:
                continue
            if model is not None and _shown_to_create(ctx, node, model):
                return (
                    "get-or-create: the query reads through the application's session, "
                    f"and the loop calls `{name}()`, project code that creates "
                    f"`{model}` rows through it: "
                    "a later item's lookup sees what an earlier item wrote, so a key "
                    "repeated in the items would miss it in a batch run before the loop",
                    None,
                )
            maybe = maybe or (
                "the query reads through the application's session, and the loop "
                f"calls `{name}()`, project code that may write through it: a later "
                "item's lookup could see what an earlier item wrote"
            )
    return None, maybe


def _shown_to_create(ctx, call: cst.Call, model: str) -> bool:
    """The called project function builds a `model(...)` (or is handed one) and adds,
    flushes or commits through a session, itself or through the project functions it
    calls (a few calls deep)."""
    module = _project_module(ctx, ctx.module_name)
    if module is None:
        return False
    found = _resolve(ctx, module, call.func)
    builds = any(_builds(node, model) for node in walk(call))
    writes = False
    for node in calls_reached(ctx, found, _WRITE_DEPTH) if found is not None else ():
        builds = builds or _builds(node, model)
        if (
            isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _SESSION_WRITES
        ):
            writes = True
    return writes and builds


def calls_reached(ctx, found, depth: int) -> Iterator[cst.Call]:
    """Every call in the project function `found` (a (module, function) pair) and in
    the project functions it calls, `depth` calls deep, each function once."""
    seen: set[str] = set()
    stack = [(found, depth)]
    while stack:
        (module, function), left = stack.pop()
        key = f"{module.qualified}.{function.name.value}"
        if key in seen:
            continue
        seen.add(key)
        for node in walk(function.body):
            if not isinstance(node, cst.Call):
                continue
            yield node
            if left > 0:
                callee = _resolve(ctx, module, node.func)
                if callee is not None:
                    stack.append((callee, left - 1))


def _builds(node: cst.CSTNode, model: str) -> bool:
    """`Role(...)` or `models.Role(...)` for the model `Role`."""
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = (
        func.value
        if isinstance(func, cst.Name)
        else func.attr.value
        if isinstance(func, cst.Attribute)
        else None
    )
    return name == model


def _resolve(ctx, module, func: cst.BaseExpression):
    """The project module and top-level function a call names, or None."""
    parts = []
    head = func
    while isinstance(head, cst.Attribute):
        parts.append(head.attr.value)
        head = head.value
    if not isinstance(head, cst.Name):
        return None
    rest = ".".join(reversed(parts))
    if head.value in module.imports:
        qualified = module.imports[head.value] + (f".{rest}" if rest else "")
    elif head.value in module.defined and not rest:
        qualified = f"{module.qualified}.{head.value}"
    else:
        return None
    module_name, _, name = qualified.rpartition(".")
    target = _project_module(ctx, module_name) if module_name else None
    if target is None:
        return None
    function = _function(target.tree, name)
    return (target, function) if function is not None else None


def keys_distinct(frame: Frame, keys_key: cst.BaseExpression, ancestry) -> bool:
    """The loop's keys are its items themselves, and the items a set (`set(...)`, a set
    literal or comprehension) or a dict's keys: no key comes twice. Also the keys of
    `for key, value in mapping.items()`. The dict must be shown to be one
    (`dict_items.shown_dict`): another object's `.keys()`/`.items()` may repeat a key."""
    if frame.is_for and _dict_items_key(frame.node, keys_key, ancestry):
        return True
    if not frame.is_for or not isinstance(frame.node.target, cst.Name):
        return False
    if not (
        isinstance(keys_key, cst.Name) and keys_key.value == frame.node.target.value
    ):
        return False
    items = frame.node.iter
    if isinstance(items, (cst.Set, cst.SetComp)):
        return True
    if not isinstance(items, cst.Call):
        return False
    func = items.func
    if isinstance(func, cst.Name):
        return func.value in _DISTINCT_BUILDERS
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == "keys"
        and not items.args
        and shown_dict(func.value, ancestry)
    )


def _dict_items_key(loop: cst.For, keys_key: cst.BaseExpression, ancestry) -> bool:
    """`for key, value in mapping.items()` keyed by `key`."""
    target, items = loop.target, loop.iter
    return (
        isinstance(target, cst.Tuple)
        and len(target.elements) == 2
        and all(isinstance(e.value, cst.Name) for e in target.elements)
        and isinstance(keys_key, cst.Name)
        and target.elements[0].value.value == keys_key.value
        and target.elements[1].value.value != keys_key.value
        and isinstance(items, cst.Call)
        and isinstance(items.func, cst.Attribute)
        and items.func.attr.value == "items"
        and not items.args
        and shown_dict(items.func.value, ancestry)
    )


def application_session(
    ctx, session: cst.BaseExpression, ancestry: list[cst.CSTNode]
) -> bool:
    """The query runs on a session the enclosing function does not hold itself: Flask's
    `Model.query`, or a name (`session`, `db.session`) that is neither its parameter nor
    bound in it, so project code can reach the same session without being passed it."""
    head = session
    while isinstance(head, cst.Attribute):
        head = head.value
    if isinstance(head, cst.Call):
        return False
    if isinstance(session, cst.Attribute) and session.attr.value == "query":
        return True  # Flask-SQLAlchemy's `Model.query`: the scoped session
    if not isinstance(head, cst.Name) or head.value in ("self", "cls"):
        return False
    function = _enclosing_function(ancestry)
    if function is None:
        return True
    return head.value not in _local_names(function)


def _enclosing_function(ancestry: list[cst.CSTNode]) -> cst.FunctionDef | None:
    return next((n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None)


def _local_names(function: cst.FunctionDef) -> set[str]:
    """The function's parameters and the names its body binds."""
    params = function.params
    listed = [
        *params.posonly_params,
        *params.params,
        *params.kwonly_params,
        *([params.star_arg] if isinstance(params.star_arg, cst.Param) else []),
        *([params.star_kwarg] if params.star_kwarg is not None else []),
    ]
    return {p.name.value for p in listed} | names_assigned(function.body)


def _module_functions(module: cst.Module) -> set[str]:
    return {
        s.name.value
        for s in module.body
        if isinstance(s, (cst.FunctionDef, cst.ClassDef))
    }


def _project_callee(
    ctx, func: cst.BaseExpression, own: set[str], function: cst.FunctionDef | None
) -> str | None:
    """`func` as written when it names a function of the project (defined in this
    module, or imported from a package of the project, and not shadowed by a local
    name of `function`), else None."""
    head = func
    while isinstance(head, cst.Attribute):
        head = head.value
    if not isinstance(head, cst.Name):
        return None
    if function is not None and head.value in _local_names(function):
        return None
    if head.value in own:
        return ctx.code(func)
    qualified = ctx.imports.get(head.value)
    if qualified is not None and qualified.split(".")[0] in ctx.first_party:
        return ctx.code(func)
    return None
