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

import libcst as cst

from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import names_assigned, walk

_DISTINCT_BUILDERS = {"set", "frozenset"}


def project_writes_beside(
    ctx, frame: Frame, query: cst.CSTNode, ancestry: list[cst.CSTNode], reads_only
) -> str | None:
    """Why a project call in the loop (besides `query`) may write what a later item's
    lookup reads, or None. `reads_only(call)` says a call only reads."""
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
    for part in parts:
        for node in [part, *walk(part)]:
            if not isinstance(node, cst.Call) or id(node) in inside_query:
                continue
            if reads_only(node):
                continue
            name = _project_callee(ctx, node.func, own, function)
            if name is not None:
                return (
                    "the query reads through the application's session, and the loop "
                    f"calls `{name}()`, project code that may write through it (get-or-"
                    "create): a later item's lookup sees what an earlier item wrote, and a "
                    "key repeated in the items would miss it in a batch run before the loop"
                )
    return None


def keys_distinct(frame: Frame, keys_key: cst.BaseExpression) -> bool:
    """The loop's keys are its items themselves, and the items a set (`set(...)`, a set
    literal or comprehension) or a dict's keys: no key comes twice."""
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
        isinstance(func, cst.Attribute) and func.attr.value == "keys" and not items.args
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
