"""A write helper that commits its own work: `session.execute(<write>)`, then
`session.commit()`, maybe `return result.rowcount`.

    async def revoke_all_access(self, resource_type, resource_id, db=None) -> int:
        async with get_async_db_context(db) as db:
            result = await db.execute(delete(AccessGrant).where(...))
            await db.commit()
            return result.rowcount

Called once per id, it runs one statement and one transaction per id. Its batch method
runs the one statement for all ids, then commits once. Every id's rows end up written
as before, and the commit still covers what the caller's session held before the loop
(when the caller passes its session in, the first call committed it); what changes is
what a failure part-way leaves: each call had committed its own id, the batch commits
none or all. So the fix is unsafe, and says so.

Here the helper's body is split into the write (what the per-key loop of the batch
method repeats), the commit and the return; the codemod puts the commit and the return
back after the batched statement (`codemods.query_in_loop.batch_variant`).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.loop_placement import NoFix
from n1fix.cst.chains import dotted_name
from n1fix.cst.method_syntax import tail_block
from n1fix.cst.syntax import walk

_TRANSACTION_CALLS = ("commit", "rollback")


@dataclass(frozen=True)
class OwnCommit:
    """The helper's write statements, and what follows them."""

    statements: list  # the write (and the assignments before it): the per-key work
    commit: cst.SimpleStatementLine  # `await db.commit()`
    session: str  # `db`, `db.session`: the session the commit is called on, as written
    returned: str | None  # `result`, of `return result.rowcount`; None: no return

    def unsafe(self, name: str) -> str:
        return (
            f"`{name}` commits after each call; the batch commits once for all keys, "
            f"so a failure part-way no longer leaves the earlier keys' writes committed"
        )


def own_commit(function: cst.FunctionDef) -> OwnCommit | None:
    """The helper's write split from its one trailing commit; None when it neither
    commits nor rolls back. Raises NoFix for any other use of a transaction."""
    calls = [n for n in walk(function.body) if _transaction_call(n)]
    if not calls:
        return None
    name = function.name.value
    refused = NoFix(
        f"`{name}` calls `.{calls[0].func.attr.value}()`: one transaction per call, "
        f"which one batched call would merge"
    )
    statements, _ = tail_block(function)
    returned = None
    if statements and _small(statements[-1], cst.Return) is not None:
        returned = _rowcount_of(_small(statements[-1], cst.Return).value)
        if returned is None:
            raise refused
        statements = statements[:-1]
    if len(calls) != 1 or not statements:
        raise refused
    commit = statements[-1]
    expression = _small(commit, cst.Expr)
    call = expression.value if expression is not None else None
    if isinstance(call, cst.Await):
        call = call.expression
    if call is not calls[0] or call.func.attr.value != "commit" or call.args:
        raise refused
    session = dotted_name(call.func.value)
    if session is None:
        raise refused
    writes = statements[:-1]
    if returned is not None:
        # The per-key loop runs the statement for its effect: the result is read once,
        # after the batched statement.
        last = writes[-1] if writes else None
        if not (last is not None and _assigns(last, returned)) or any(
            isinstance(n, cst.Name) and n.value == returned
            for statement in writes[:-1]
            for n in walk(statement)
        ):
            raise refused
        writes = [*writes[:-1], _as_expression(last)]
    return OwnCommit(
        statements=writes,
        commit=commit,
        session=session,
        returned=returned,
    )


def _as_expression(statement: cst.SimpleStatementLine) -> cst.SimpleStatementLine:
    """`result = <call>` as `<call>`."""
    value = statement.body[0].value
    return statement.with_changes(body=[cst.Expr(value=value)])


def _transaction_call(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _TRANSACTION_CALLS
    )


def _small(statement, kind):
    if (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], kind)
    ):
        return statement.body[0]
    return None


def _rowcount_of(value: cst.BaseExpression | None) -> str | None:
    """`result` of `result.rowcount`."""
    if (
        isinstance(value, cst.Attribute)
        and value.attr.value == "rowcount"
        and isinstance(value.value, cst.Name)
    ):
        return value.value.value
    return None


def _assigns(statement, name: str) -> bool:
    assign = _small(statement, cst.Assign)
    return (
        assign is not None
        and len(assign.targets) == 1
        and isinstance(assign.targets[0].target, cst.Name)
        and assign.targets[0].target.value == name
    )
