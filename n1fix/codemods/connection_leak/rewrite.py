"""The `connection-leak` rewrite: `name = opener` and the rest of its block become
`with opener as name:` around that rest (`async with` for the async openers,
`contextlib.closing(...)` around a DB-API connection)."""

from __future__ import annotations

import libcst as cst

from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import NameTaken, add_from_import, spelled_or_needed
from n1fix.rules.base import Finding
from n1fix.rules.connection_leak.analysis import WithPlan


def fix(ctx, finding: Finding) -> cst.Module:
    plan: WithPlan = finding.plan
    body = list(plan.block.body)
    index = next((i for i, s in enumerate(body) if s is plan.statement), None)
    if index is None:
        raise FixFailed("the statement that opens the object is no longer in its block")
    needed: list[tuple[str, str]] = []
    item: cst.BaseExpression = plan.opened
    if plan.closing:
        try:
            closing = spelled_or_needed(ctx, "contextlib.closing", needed)
        except NameTaken as error:
            raise FixFailed(str(error)) from error
        item = cst.Call(func=cst.parse_expression(closing), args=[cst.Arg(item)])
    with_statement = cst.With(
        items=[cst.WithItem(item=item, asname=cst.AsName(name=cst.Name(plan.name)))],
        body=cst.IndentedBlock(
            body=body[index + 1 :], header=plan.statement.trailing_whitespace
        ),
        asynchronous=cst.Asynchronous() if plan.asynchronous else None,
        leading_lines=plan.statement.leading_lines,
    )
    new_block = plan.block.with_changes(body=[*body[:index], with_statement])
    module = ctx.module.visit(_ReplaceBlock(plan.block, new_block))
    for source, name in needed:
        module = add_from_import(module, source, name, ctx.first_party)
    return module


class _ReplaceBlock(cst.CSTTransformer):
    def __init__(self, old: cst.IndentedBlock, new: cst.IndentedBlock) -> None:
        self.old, self.new = old, new

    def leave_IndentedBlock(
        self, original: cst.IndentedBlock, updated: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        return self.new if original is self.old else updated
