"""The `missing-index` rewrite: `index=True` on the foreign key's `Column(...)`, and in a
project with Alembic, a new migration that creates the index (`migration_file.py`)."""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.missing_index.migration_file import migration_file
from n1fix.cst.errors import FixFailed
from n1fix.rules.base import Finding
from n1fix.rules.missing_index.findings import IndexPlan


class _AddIndex(cst.CSTTransformer):
    def __init__(self, call: cst.Call) -> None:
        self.call = call
        self.done = False

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if original is not self.call:
            return updated
        self.done = True
        return updated.with_changes(args=_with_index(updated))


def _with_index(call: cst.Call) -> list[cst.Arg]:
    args = list(call.args)
    flag = cst.Arg(
        keyword=cst.Name("index"),
        value=cst.Name("True"),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""),
            whitespace_after=cst.SimpleWhitespace(""),
        ),
    )
    if not args:
        return [flag]
    last = args[-1]
    if last.comma is not cst.MaybeSentinel.DEFAULT:
        # the arguments end with a comma (one per line): the flag follows in kind, and
        # the comma before it breaks the line as the others do
        between = (
            args[-2].comma
            if len(args) > 1
            else cst.Comma(whitespace_after=call.whitespace_before_args)
        )
        return [
            *args[:-1],
            last.with_changes(comma=between),
            flag.with_changes(comma=last.comma),
        ]
    # the whitespace before `)` moves from the last argument to the flag
    return [
        *args[:-1],
        last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        ),
        flag.with_changes(whitespace_after_arg=last.whitespace_after_arg),
    ]


def fix(ctx, finding: Finding):
    plan: IndexPlan = finding.plan
    transformer = _AddIndex(plan.call)
    module = ctx.module.visit(transformer)
    if not transformer.done:
        raise FixFailed("the column's definition is no longer there")
    migration = plan.advice.migration
    if migration is None:
        return module
    return module, [migration_file(ctx.project.root, migration)]
