"""What else a loop body does that forbids, or weakens, moving its write out of the loop.

Moving a per-item write after the loop (or replacing the loop with one statement) is
right only when nothing in the loop could see the difference: no read of the database,
no other use of the session, no commit per item, no early `return`, and nothing that
raises part-way (the original would have written the items before it).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.callees import callee_of
from n1fix.analysis.model_writes import model_method_write
from n1fix.cst.chains import dotted_name
from n1fix.cst.syntax import walk
from n1fix.orm.query_shape import is_model_like

_TRANSACTION_METHODS = {
    "commit": "commits per item",
    "rollback": "rolls back per item",
    "begin_nested": "opens a savepoint per item",
    "begin": "begins a transaction per item",
    "flush": "flushes per item",
    "close": "closes the session per item",
    "expire_all": "expires the session per item",
    "expunge_all": "empties the session per item",
}
_BENIGN_CALLS = {
    "len",
    "str",
    "int",
    "float",
    "bool",
    "list",
    "dict",
    "set",
    "tuple",
    "sorted",
    "min",
    "max",
    "sum",
    "abs",
    "round",
    "isinstance",
    "repr",
    "enumerate",
    "zip",
    "range",
    "any",
    "all",
    "print",
}
_BENIGN_METHODS = {
    "append",
    "add",
    "extend",
    "update",
    "setdefault",
    "get",
    "items",
    "keys",
    "values",
    "format",
    "join",
    "lower",
    "upper",
    "strip",
    "startswith",
    "endswith",
    "debug",
    "info",
    "warning",
    "error",
    "exception",
    "isoformat",
    "copy",
}


def _inside(node: cst.CSTNode | None) -> set[int]:
    return {id(node), *(id(n) for n in walk(node))} if node is not None else set()


def body_blocker(
    ctx, loop: cst.For, write: cst.CSTNode, session_code: str, ancestry
) -> str | None:
    """Why the write cannot leave the loop, or None."""
    skip = _inside(write)
    code = ctx.code
    for node in walk(loop.body):
        if id(node) in skip:
            continue
        if isinstance(node, cst.Return):
            return "the loop may `return` part-way, before a write after the loop would run"
        if isinstance(node, (cst.Yield,)):
            return "the loop yields per item; its consumer may read the rows in between"
        if (
            isinstance(node, (cst.Call, cst.Await))
            and ctx.orm.query_shape(node) is not None
        ):
            return f"the loop also reads the database (`{_short(code(node))}`), which would then run before the writes instead of after them"
        if not isinstance(node, cst.Call):
            continue
        if ctx.orm.write_shape(node, ctx.imports) is not None:
            return f"the loop runs another write (`{_short(code(node))}`) too; batching would change their order across items"
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = code(func.value)
            if method in _TRANSACTION_METHODS:
                return (
                    f"the loop {_TRANSACTION_METHODS[method]} (`{receiver}.{method}()`)"
                )
            if receiver == session_code:
                return f"the loop also uses `{receiver}.{method}()`, which would see the writes only after the loop"
            hidden = model_method_write(ctx, node, ancestry)
            if hidden is not None:
                return f"the loop calls {hidden.reason}"
        for arg in node.args:
            if code(arg.value) == session_code:
                return f"the loop passes `{session_code}` to `{code(func)}()`, which may read or write the same rows"
        callee = callee_of(ctx, node, ancestry)
        if callee is not None:
            verb = "writes to" if callee.writes else "reads"
            return f"the loop calls `{code(func)}()`, which {verb} the database"
    return None


def other_statements_may_raise(
    body: cst.CSTNode, statement: cst.CSTNode, also_benign: frozenset[str] = frozenset()
) -> str | None:
    """The loop's other statements now run before the writes: can one stop the loop
    part-way? (`also_benign`: more call names the caller takes as value computations.)"""
    skip = _inside(statement)
    for node in walk(body):
        if id(node) in skip:
            continue
        if isinstance(node, (cst.Raise, cst.Assert)):
            keyword = "raise" if isinstance(node, cst.Raise) else "assert"
            return f"the loop may `{keyword}` part-way: the original had written the items before it, the rewrite writes none"
        if isinstance(node, cst.Call):
            name = dotted_name(node.func)
            last = name.rsplit(".", 1)[-1] if name else None
            if (
                name in _BENIGN_CALLS
                or isinstance(node.func, cst.Attribute)
                and node.func.attr.value in also_benign
                or last in also_benign
                or (isinstance(node.func, cst.Attribute) and last in _BENIGN_METHODS)
            ):
                continue
            shown = name or "a call"
            return f"the loop calls `{shown}()`; if it raises part-way, the original had written the items before it, the rewrite writes none"
    return None


def reads_attribute(
    body: cst.CSTNode, columns: set[str], write: cst.CSTNode
) -> set[str]:
    """Columns the UPDATE writes that the loop reads off objects (`render.status`).

    An ORM-enabled UPDATE refreshes matching objects in the session after each statement,
    so such reads would see the old values once the write moves after the loop.
    """
    if not columns:
        return set()
    skip = _inside(write)
    found = set()
    for node in walk(body):
        if id(node) in skip or not isinstance(node, cst.Attribute):
            continue
        if node.attr.value in columns and not is_model_like(node.value):
            found.add(node.attr.value)
    return found


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."
