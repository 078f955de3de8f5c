"""Which `<query>.all()[0]` read one row of many, and whether `LIMIT 1` keeps it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.fetched_rows import (
    V1,
    V2,
    FetchedRows,
    all_rows,
    bound_query_rows,
    scopes,
)
from n1fix.cst.syntax import walk
from n1fix.rules.base import Applicability, Finding


@dataclass
class LimitPlan:
    rows: FetchedRows  # the `.all()` read; `.limit(1)` goes on its statement


def find(ctx, rule) -> Iterable[Finding]:
    for scope in scopes(ctx.module):
        body = scope.body if isinstance(scope, cst.FunctionDef) else scope
        for node in walk(body):
            if not _first_of(node):
                continue
            rows = all_rows(node.value) or bound_query_rows(node.value, body)
            if rows is None or {"unique", "limit"} & set(rows.call_names):
                continue  # a LIMIT already bounds the rows
            known = ctx.model_for(rows.entity) is not None
            if rows.style == V1 and rows.binding is None and not known:
                continue
            note = _unsafe_because(rows, known)
            yield rule.finding_at(
                ctx,
                node,
                "every row of the query is loaded to read the first: `.limit(1)` "
                "fetches one",
                Applicability.UNSAFE if note else Applicability.SAFE,
                fix_note=note,
                plan=LimitPlan(rows),
            )


def _first_of(node: cst.CSTNode) -> bool:
    """`<x>[0]`."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
        return False
    index = node.slice[0].slice
    return (
        isinstance(index, cst.Index)
        and isinstance(index.value, cst.Integer)
        and index.value.value == "0"
    )


def _unsafe_because(rows: FetchedRows, known: bool) -> str | None:
    if rows.binding is not None and not known:
        return (
            "the query's entity is not a model of the index: n1fix does not show the "
            "name holds a SQLAlchemy Query"
        )
    if rows.style == V2 and not rows.inline:
        return (
            "the statement is held in a variable, not shown to be a `select()` (a "
            "`text()` has no `.limit()`)"
        )
    if not rows.ordered:
        return (
            "the query has no ORDER BY: which row comes first is the database's choice, "
            "and a LIMIT may change it"
        )
    if rows.style not in (V1, V2):
        return "not a SQLAlchemy query"
    return None
