"""The `count-via-len` rewrite: `len(<rows>)` becomes the query's count."""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.fetched_rows import V2
from n1fix.cst.errors import FixFailed
from n1fix.cst.imports import add_from_import, spelled_or_needed
from n1fix.cst.layout import INDENT, fits
from n1fix.rules.base import Finding
from n1fix.rules.count_via_len.analysis import CountPlan


def fix(ctx, finding: Finding) -> cst.Module:
    plan = finding.plan
    if not isinstance(plan, CountPlan):
        raise FixFailed("no plan")
    rows = plan.rows
    needed: list[tuple[str, str]] = []
    if rows.style == V2:
        select = spelled_or_needed(ctx, "sqlalchemy.select", needed)
        func = spelled_or_needed(ctx, "sqlalchemy.func", needed)
        session = ctx.code(rows.runner.func.value)
        statement = ctx.code(rows.statement)
        head = f"{'await ' if rows.awaited else ''}{session}.scalar("
        inner = f"{select}({func}.count()).select_from({statement}.subquery())"
        count = f"{head}{inner})"
        count = _laid_out(ctx, plan, head, select, func, statement)
        new = cst.parse_expression(count, config=ctx.module.config_for_parsing)
        new = new.with_changes(lpar=plan.length.lpar, rpar=plan.length.rpar)
    else:  # 1.x Query and Django: their own count()
        new = _own_count(ctx, plan)
    module = ctx.module.deep_replace(plan.length, new)
    for source, name in needed:
        module = add_from_import(module, source, name, ctx.first_party)
    return module


def _laid_out(ctx, plan: CountPlan, head: str, select, func, statement: str) -> str:
    """The count as black lays it out: on one line when it fits, else the statement
    moved down one level or two. (LibCST indents the lines after the first by the
    statement's block, so they are written relative to it.)"""
    start = ctx.range_of(plan.length).start
    line = ctx.text.splitlines()[start.line - 1]
    indent = len(line) - len(line.lstrip())
    limit = ctx.project.line_length
    counted = f"{select}({func}.count()).select_from("
    one_line = f"{head}{counted}{statement}.subquery()))"
    if fits(one_line, start.column, limit):
        return one_line
    inner = f"{counted}{statement}.subquery())"
    if fits(inner, indent + len(INDENT), limit):
        return f"{head}\n{INDENT}{inner}\n)"
    return (
        f"{head}\n{INDENT}{counted}\n{INDENT * 2}{statement}.subquery()\n{INDENT})\n)"
    )


def _own_count(ctx, plan: CountPlan) -> cst.BaseExpression:
    """`<query>.count()` in place of `len(<query>.all())` / `len(<queryset>)`, kept in
    the parentheses of `len(...)` when the query spans lines."""
    rows = plan.rows
    if rows.node is not rows.statement:  # `<query>.all()`: its `.all` becomes `.count`
        count = rows.node.with_changes(
            func=rows.node.func.with_changes(attr=cst.Name("count"))
        )
    else:
        count = cst.Call(cst.Attribute(value=rows.statement, attr=cst.Name("count")))
    if "\n" not in ctx.code(rows.statement):
        return count.with_changes(lpar=plan.length.lpar, rpar=plan.length.rpar)
    return count.with_changes(
        lpar=[cst.LeftParen(whitespace_after=plan.length.whitespace_before_args)],
        rpar=[
            cst.RightParen(whitespace_before=plan.length.args[0].whitespace_after_arg)
        ],
    )
