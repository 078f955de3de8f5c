"""What a loop body does that forbids, or weakens, hoisting a query out of it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from n1fix.cst.chains import dotted_name, unwind
from n1fix.cst.syntax import COMPREHENSIONS, children, walk

# Called on anything, these end or change a transaction: no batching across them.
_TRANSACTION_METHODS = {
    "commit",
    "rollback",
    "flush",
    "begin_nested",
    "expire_all",
    "expunge_all",
}
# Called on the session that runs the query, these write or change what it would read.
_SESSION_WRITES = {
    "add",
    "add_all",
    "delete",
    "merge",
    "refresh",
    "expire",
    "expunge",
    "begin",
    "bulk_save_objects",
    "bulk_insert_mappings",
    "bulk_update_mappings",
    "close",
}
_STATEMENT_RUNNERS = {"execute", "scalars", "scalar", "exec_driver_sql"}
_WRITE_STATEMENTS = {"insert", "update", "delete"}
_QUERY_WRITES = {"delete", "update"}  # 1.x Query.delete() / Query.update()
_MUTATORS = {
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "clear",
    "sort",
    "reverse",
    "add",
    "discard",
    "update",
    "setdefault",
    "popitem",
}
_DICT_VIEWS = {"items", "keys", "values"}


@dataclass
class BodyVerdict:
    blocking: str | None = None  # no fix at all, and why
    weakening: str | None = None  # only an unsafe fix, and why


def inspect_body(
    body: cst.CSTNode,
    *,
    session_code: str,
    code_of,
    iterable: cst.BaseExpression,
    query_columns: set[str],
    query: cst.CSTNode | None = None,
    reads_only=None,
    writes_of=None,
    harmless_write=None,
) -> BodyVerdict:
    """Judge a loop body (a `for` body, or a comprehension) for the hoisting contract.

    `reads_only(call)` says whether a call is known to only read (a project query
    function): passing it the session does not weaken the verdict. `writes_of(node)` says
    whether a call is a model method that commits or writes (`group.save()`, see
    `analysis.model_writes`), or a call or augmented assignment changes a relationship
    collection or assigns a relationship (`analysis.relationship_writes`). `harmless_write(call)` says a session write is shown not to
    change what any later item's query returns (a new row keyed by its own item, the
    keys distinct).
    """
    verdict = BodyVerdict()
    iter_name = _iterated_name(iterable)
    inside_query = (
        {id(n) for n in walk(query)} | {id(query)} if query is not None else set()
    )
    for node in walk(body):
        if id(node) in inside_query:
            continue
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            receiver = node.func.value
            receiver_code = code_of(receiver)
            if method in _TRANSACTION_METHODS:
                return BodyVerdict(
                    blocking=f"the loop calls `{receiver_code}.{method}()`"
                )
            if (
                method in _SESSION_WRITES
                and harmless_write is not None
                and (
                    receiver_code == session_code
                    or _flask_session_of(session_code, receiver_code)
                )
                and harmless_write(node)
            ):
                continue
            if method in _SESSION_WRITES and receiver_code == session_code:
                return BodyVerdict(
                    blocking=f"the loop calls `{session_code}.{method}()`"
                )
            if method in _SESSION_WRITES and _flask_session_of(
                session_code, receiver_code
            ):
                # get-or-create on the scoped session: a later item's query sees what
                # an earlier item wrote, a batch run before the loop would not
                return BodyVerdict(
                    blocking=f"the loop calls `{receiver_code}.{method}()`, and `{session_code}` reads "
                    "through that session: a later item's query may see what an earlier item wrote"
                )
            hidden = writes_of(node) if writes_of is not None else None
            if hidden is not None:
                if hidden.certain:
                    return BodyVerdict(blocking=f"the loop calls {hidden.reason}")
                verdict.weakening = (
                    verdict.weakening or f"the loop calls {hidden.reason}"
                )
            if method in _STATEMENT_RUNNERS and node.args:
                statement = _statement_kind(node.args[0].value)
                if statement in _WRITE_STATEMENTS:
                    article = "an" if statement == "insert" else "a"
                    return BodyVerdict(
                        blocking=f"the loop runs {article} {statement.upper()} statement"
                    )
                if statement is None and verdict.weakening is None:
                    verdict.weakening = f"the loop runs a statement n1fix cannot read (`{receiver_code}.{method}(...)`)"
            if method in _QUERY_WRITES and _is_query_chain(receiver):
                return BodyVerdict(blocking=f"the loop runs a bulk `Query.{method}()`")
            if (
                iter_name
                and method in _MUTATORS
                and isinstance(receiver, cst.Name)
                and receiver.value == iter_name
            ):
                return BodyVerdict(
                    blocking=f"the loop changes `{iter_name}` while iterating it"
                )
        if (
            isinstance(node, cst.Call)
            and verdict.weakening is None
            and not (reads_only and reads_only(node))
        ):
            for arg in node.args:
                if code_of(arg.value) == session_code:
                    callee = code_of(node.func)
                    verdict.weakening = f"the loop passes `{session_code}` to `{callee}()`, which may write"
        if (
            isinstance(node, (cst.AugAssign, cst.Assign, cst.AnnAssign, cst.Del))
            and writes_of is not None
        ):
            hidden = writes_of(node)  # `chain.renders += [...]`, `render.chain = ...`
            if hidden is not None and hidden.certain:
                return BodyVerdict(blocking=f"the loop does {hidden.reason}")
            if hidden is not None:
                verdict.weakening = (
                    verdict.weakening or f"the loop does {hidden.reason}"
                )
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            target = node.target
            if isinstance(target, cst.Attribute) and target.attr.value in query_columns:
                return BodyVerdict(
                    blocking=f"the loop assigns `.{target.attr.value}`, a column the query reads"
                )
            if iter_name and _targets_name(target, iter_name):
                return BodyVerdict(
                    blocking=f"the loop changes `{iter_name}` while iterating it"
                )
        if (
            isinstance(node, cst.Del)
            and iter_name
            and _targets_name(node.target, iter_name)
        ):
            return BodyVerdict(
                blocking=f"the loop changes `{iter_name}` while iterating it"
            )
    return verdict


def _iterated_name(iterable: cst.BaseExpression) -> str | None:
    """The name whose contents the loop walks: `xs`, or `d` of `d.items()`,
    `d.keys()`, `d.values()` (a view of the dict, which sees every write to it)."""
    if isinstance(iterable, cst.Name):
        return iterable.value
    if (
        isinstance(iterable, cst.Call)
        and not iterable.args
        and isinstance(iterable.func, cst.Attribute)
        and iterable.func.attr.value in _DICT_VIEWS
        and isinstance(iterable.func.value, cst.Name)
    ):
        return iterable.func.value.value
    return None


def _flask_session_of(session_code: str, receiver_code: str) -> bool:
    """`Model.query` (Flask-SQLAlchemy) runs on the scoped session that `db.session`
    (or any other `<x>.session`) may well be, though the two are written differently."""
    return (
        session_code.endswith(".query")
        and receiver_code != session_code
        and (receiver_code == "session" or receiver_code.endswith(".session"))
    )


def early_exit(body: cst.CSTNode) -> str | None:
    """A `break`, `return` or `yield` that can stop or suspend the loop part-way."""
    for node, inner_loop in _walk_with_loop_depth(body):
        if isinstance(node, cst.Break) and not inner_loop:
            return "the loop may `break` before reaching every item"
        if isinstance(node, cst.Return):
            return "the loop may `return` before reaching every item"
        if isinstance(node, (cst.Yield,)):
            return "the loop yields; the batched query would run before the consumer resumes it"
    return None


def has_continue(body: cst.IndentedBlock, before: cst.CSTNode | None = None) -> bool:
    """A `continue` of this loop in the statements before `before` (or anywhere)."""
    statements = list(body.body)
    if before is not None and any(s is before for s in statements):
        statements = statements[
            : next(i for i, s in enumerate(statements) if s is before)
        ]
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine) and any(
            isinstance(n, cst.Continue) for n in statement.body
        ):
            return True
        if any(
            isinstance(node, cst.Continue) and not inner
            for node, inner in _walk_with_loop_depth(statement)
        ):
            return True
    return False


def _walk_with_loop_depth(body: cst.CSTNode):
    stack: list[tuple[cst.CSTNode, bool]] = [
        (child, False) for child in reversed(list(children(body)))
    ]
    while stack:
        node, inner = stack.pop()
        yield node, inner
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        nested = inner or isinstance(node, (cst.For, cst.While, *COMPREHENSIONS))
        stack.extend((child, nested) for child in reversed(list(children(node))))


_STATEMENT_KINDS = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "exists",
    "union",
    "union_all",
}


def _statement_kind(expr: cst.BaseExpression) -> str | None:
    """`select`, `insert`, `update`, `delete` or `text` for a statement expression; None if unknown.

    `update(M).where(...)`, `sa.update(M)...` and `sqlalchemy.update(M)...` all count: the
    first name in the chain that names a statement wins.
    """
    base, calls, _ = unwind(expr)
    names: list[str] = []
    head = base.func if isinstance(base, cst.Call) else base
    dotted = dotted_name(head) if head is not None else None
    if dotted:
        names.append(dotted.rsplit(".", 1)[-1])
    names.extend(mc.name for mc in calls)
    return next((name for name in names if name in _STATEMENT_KINDS), None)


def _is_query_chain(expr: cst.BaseExpression) -> bool:
    base, calls, _ = unwind(expr)
    return (
        bool(calls)
        and calls[0].name == "query"
        or (isinstance(base, cst.Attribute) and base.attr.value == "query")
    )


def _targets_name(target: cst.CSTNode, name: str) -> bool:
    if isinstance(target, cst.Name):
        return target.value == name
    if isinstance(target, (cst.Subscript, cst.Attribute)):
        return (
            isinstance(target.value, cst.Name)
            and target.value.value == name
            and isinstance(target, cst.Subscript)
        )
    if isinstance(target, (cst.Tuple, cst.List)):
        return any(_targets_name(e.value, name) for e in target.elements)
    return False


def runs_once(chain: Sequence[cst.CSTNode]) -> bool:
    """The statement at the end of `chain` (a loop's body, then the nodes down to the
    statement) runs at most once per run of the loop: once it has run, the loop is
    always left, by a `break`, a `return` or a `raise` after it.

    Read from the loop's body down, block by block (an `if`'s, a `match` case's...): an
    exit among the statements from the one holding the statement on, at that block's
    own level, is reached whenever that statement runs. Not when the statement sits in a
    nested loop, comprehension, function or class (it runs once per item of that, or
    not at all where it is defined), nor when the loop may `continue` after it (the
    exit may be skipped: a `continue` of the loop in the body's statements from the one
    holding it on, a `finally` included), nor for an exit inside the `try:` block of a
    `try` in the body (a handler may keep the loop going after an error between the
    statement and the exit; an exit in a handler, `else` or `finally` counts: their
    errors go past that `try`) or inside a `with` (its context manager may swallow the
    error, as `suppress()` does)."""
    body = chain[0]
    if len(chain) < 2 or not isinstance(body, _BLOCKS):
        return False
    if any(isinstance(node, _OWN_RUNS) for node in chain[1:]):
        return False
    statements = list(body.body)
    position = next((i for i, s in enumerate(statements) if s is chain[1]), None)
    if position is None or any(_continues(s) for s in statements[position:]):
        return False
    for at in range(len(chain) - 1):
        block, inner = chain[at], chain[at + 1]
        if isinstance(block, _BLOCKS):
            statements = list(block.body)
            position = next((i for i, s in enumerate(statements) if s is inner), None)
            if position is not None and any(
                _exits(later) for later in statements[position:]
            ):
                return True
        if isinstance(inner, cst.With):
            return False  # below a `with`: its `__exit__` may swallow an error
        if isinstance(inner, (cst.Try, cst.TryStar)) and (
            at + 2 >= len(chain) or chain[at + 2] is inner.body
        ):
            return False  # below a `try:` itself; not below its handlers or clauses
    return False


# What holds statements one after the other: a block, a one-line body, a line.
_BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite, cst.SimpleStatementLine)
# What runs its inside once per item of its own, or not where it stands.
_OWN_RUNS = (
    cst.For,
    cst.While,
    *COMPREHENSIONS,
    cst.FunctionDef,
    cst.Lambda,
    cst.ClassDef,
)


def _exits(statement: cst.CSTNode) -> bool:
    """Is `statement` (a line, or one small statement of a line) a way out of the loop?"""
    smalls = (
        statement.body
        if isinstance(statement, cst.SimpleStatementLine)
        else [statement]
    )
    return any(
        isinstance(small, (cst.Break, cst.Return, cst.Raise)) for small in smalls
    )


def _continues(statement: cst.CSTNode) -> bool:
    """A `continue` of the loop in `statement`, a statement of its body: not one of a
    nested loop's body, but one in a nested loop's `else`, which continues this loop."""
    stack = [statement]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Continue):
            return True
        if isinstance(
            node, (cst.FunctionDef, cst.Lambda, cst.ClassDef, *COMPREHENSIONS)
        ):
            continue
        if isinstance(node, (cst.For, cst.While)):
            if node.orelse is not None:
                stack.append(node.orelse)
            continue
        stack.extend(children(node))
    return False
