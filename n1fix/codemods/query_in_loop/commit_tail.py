"""The batch method of a write helper that commits its own work (`rules.query_in_loop.
write_commits`): the batched statement, then the helper's commit and return, once.

    async def revoke_all_access_for_resources(self, resource_type, resource_ids, db=None) -> int:
        \"\"\"`revoke_all_access` for many resources in one statement and one commit.\"\"\"
        if not resource_ids:
            return 0
        async with get_async_db_context(db) as db:
            result = await db.execute(delete(AccessGrant).where(...in_(resource_ids)))
            await db.commit()
            return result.rowcount

No keys: no statement and no commit, as the loop over no keys ran none, and no rows
written (the helper's rowcount summed over no calls).
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.layout import INDENT, fits, one_line, render
from n1fix.cst.method_syntax import tail_block, with_tail, without_docstring
from n1fix.cst.names import plural
from n1fix.rules.query_in_loop.write_commits import OwnCommit


def with_own_commit(
    function: cst.FunctionDef,
    commit: OwnCommit,
    original_name: str,
    keys: str,
    indent: int,
    line_length: int,
) -> cst.FunctionDef:
    """`function` (the tidied batch method: its batched write under `if keys:`) with the
    helper's commit and return after the write, and the guard for no keys first."""
    statements, withs = tail_block(function)
    guarded = statements[0] if len(statements) == 1 else None
    if not (
        isinstance(guarded, cst.If)
        and isinstance(guarded.test, cst.Name)
        and guarded.test.value == keys
        and guarded.orelse is None
        and isinstance(guarded.body, cst.IndentedBlock)
    ):
        raise FixFailed("the batched write has an unexpected shape")
    body_indent = indent + 4 + 4 * len(withs)
    *before, write = guarded.body.body
    write = _laid_out(write, commit.returned, body_indent, line_length)
    tail = [*before, write, commit.commit.with_changes(leading_lines=[])]
    if commit.returned is not None:
        tail.append(cst.parse_statement(f"return {commit.returned}.rowcount\n"))
    function = with_tail(function, tail)
    noun = plural(keys[:-4]) if keys.endswith("_ids") else keys
    docstring = cst.parse_statement(
        f'"""`{original_name}` for many {noun.replace("_", " ")} in one statement '
        f'and one commit."""\n'
    )
    guard = cst.parse_statement(
        f"if not {keys}:\n    return{' 0' if commit.returned else ''}\n"
    )
    body = without_docstring(list(function.body.body))
    return function.with_changes(
        body=function.body.with_changes(body=[docstring, guard, *body])
    )


def _laid_out(
    statement: cst.BaseStatement, result: str | None, indent: int, limit: int
) -> cst.SimpleStatementLine:
    """The batched write, its value bound to `result` (the helper's name for it) when the
    helper returns its rowcount, laid out for where it now stands."""
    if not (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
    ):
        raise FixFailed("the batched write has an unexpected shape")
    value = statement.body[0].value
    joined = one_line(value)
    if joined is None:
        raise FixFailed("the batched write carries a comment n1fix cannot place")
    prefix = f"{result} = " if result is not None else ""
    return cst.parse_statement(_broken(prefix, joined, indent, limit) + "\n")


def _broken(prefix: str, expr: cst.BaseExpression, indent: int, limit: int) -> str:
    """`prefix` and `expr` as black lays them out: on one line when it fits, else
    broken inside the outermost call's brackets, its arguments on a line of their own
    (one a line, with a trailing comma, when they do not fit together), and again inside
    a sole argument that is still too long."""
    code = prefix + render(expr)
    if fits(code, indent, limit):
        return code
    if isinstance(expr, cst.Await):
        return _broken(prefix + "await ", expr.expression, indent, limit)
    if (
        not isinstance(expr, cst.Call)
        or not expr.args
        or any(a.star for a in expr.args)
    ):
        return code
    head = f"{prefix}{render(expr.func)}("
    inner = indent + len(INDENT)
    if len(expr.args) == 1 and expr.args[0].keyword is None:
        lines = _broken("", expr.args[0].value, inner, limit)
    else:
        args = [
            render(a.with_changes(comma=cst.MaybeSentinel.DEFAULT)) for a in expr.args
        ]
        together = ", ".join(args)
        lines = together if fits(together, inner, limit) else ",\n".join(args) + ","
    body = "\n".join(INDENT + line for line in lines.split("\n"))
    return f"{head}\n{body}\n)"
