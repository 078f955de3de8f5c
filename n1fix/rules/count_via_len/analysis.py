"""Which `len(...)` calls count a query's rows, and whether `COUNT(*)` may replace them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.fetched_rows import (
    DJANGO,
    V1,
    V2,
    FetchedRows,
    all_rows,
    bound_query_rows,
    django_rows,
    scopes,
)
from n1fix.cst.syntax import walk
from n1fix.rules.base import Applicability, Finding


@dataclass
class CountPlan:
    length: cst.Call  # the `len(...)` call the count replaces
    rows: FetchedRows


def find(ctx, rule) -> Iterable[Finding]:
    for scope in scopes(ctx.module):
        body = scope.body if isinstance(scope, cst.FunctionDef) else scope
        for node in walk(body):
            if not (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Name)
                and node.func.value == "len"
                and len(node.args) == 1
                and not node.args[0].keyword
                and not node.args[0].star
            ):
                continue
            arg = node.args[0].value
            rows = query_rows(ctx, arg) or bound_query_rows(arg, body)
            if rows is None:
                continue
            note = unsafe_because(ctx, rows)
            yield rule.finding_at(
                ctx,
                node,
                f"every row of the query is loaded only for `len()`: {_instead(rows)}",
                Applicability.UNSAFE if note else Applicability.SAFE,
                fix_note=note,
                plan=CountPlan(node, rows),
            )


def query_rows(ctx, expr: cst.BaseExpression) -> FetchedRows | None:
    """`expr` as a query read whole: SQLAlchemy's `.all()` on a query of an indexed
    model or a 2.0 statement, or a Django queryset of an indexed model."""
    rows = all_rows(expr)
    if rows is not None:
        if rows.style == V1 and ctx.model_for(rows.entity) is None:
            return None  # `session.query(...)` of something not known to be a model
        return rows if "unique" not in rows.call_names else None
    rows = django_rows(expr, ctx)
    return rows


def _instead(rows: FetchedRows) -> str:
    if rows.style == V2:
        return "a `select(func.count())` of it sends one number"
    return "its `.count()` sends one number"


def unsafe_because(ctx, rows: FetchedRows) -> str | None:
    """Why `COUNT(*)` might not equal the number of rows loaded, or None."""
    if rows.binding is not None and ctx.model_for(rows.entity) is None:
        return (
            f"`{_code(rows.entity) if rows.entity else rows.statement.value}` is not a "
            "model of the index: n1fix does not show the query is one SQLAlchemy Query "
            "of one entity"
        )
    if rows.style == V1 and rows.joins:
        return (
            "the query joins other tables: `Query.all()` keeps one object per primary "
            "key, `count()` counts every joined row"
        )
    if rows.style == V2 and not rows.inline:
        return (
            f"`{_code(rows.statement)}` is not shown to hold a `select()` (a `text()` "
            "has no `.subquery()`)"
        )
    if rows.style in (V1, V2) and "options" in rows.call_names:
        return "the query has loader options, which a count drops"
    if rows.style == DJANGO and "distinct" in rows.call_names:
        return (
            "`count()` of a `distinct()` queryset clears its ordering, which the rows "
            "`len()` counted were distinct on too"
        )
    return None


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
