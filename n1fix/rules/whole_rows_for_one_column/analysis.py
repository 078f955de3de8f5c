"""Which comprehensions keep one column of whole rows, and whether selecting the column
gives the same values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.fetched_rows import (
    V1,
    FetchedRows,
    all_rows,
    django_rows,
    strip_parens,
)
from n1fix.cst.ancestry import nodes_with_ancestry
from n1fix.cst.loop_frames import frames_of
from n1fix.cst.syntax import all_names
from n1fix.rules.base import Applicability, Finding

# Calls that make the entity's rows differ from its column's values, or that name it.
NO_FIX_CALLS = {
    "options": "loader options, which would name an entity no longer loaded",
    "distinct": "DISTINCT: distinct rows are not distinct values of one column",
    "group_by": "GROUP BY",
    "having": "HAVING",
}


@dataclass
class ColumnPlan:
    comprehension: cst.ListComp
    rows: FetchedRows
    attr: str  # the column's attribute (`id`)
    had_all: bool  # the iterable ended in `.all()`


def find(ctx, rule) -> Iterable[Finding]:
    wanted = nodes_with_ancestry(
        ctx.module,
        lambda node, _: _one_column_of(node) is not None,
        frozenset({cst.ListComp}),
    )
    for node, ancestry in wanted:
        attr, iterable, had_all = _one_column_of(node)
        if _per_item(iterable, ancestry + [node]):
            continue  # one query per item of a loop: query-in-loop's, whose batch replaces it
        if (rows := django_rows(iterable, ctx)) is not None:
            yield from _django_finding(ctx, rule, node, rows, attr)
            continue
        rows = all_rows(iterable if had_all else _with_all(iterable))
        if rows is None or not isinstance(rows.head, cst.Call):
            continue  # a statement in a variable, or Flask-SQLAlchemy's `Model.query`
        if rows.runner is not None and rows.runner.func.attr.value != "scalars":
            continue  # `session.execute(select(M))` rows hold the object, not columns
        model = ctx.model_for(rows.entity)
        if model is None or attr not in model.columns:
            continue
        message = (
            f"every column of `{model.name}` is loaded to read `{attr}`: select "
            f"`{model.name}.{attr}` alone"
        )
        blocked = [NO_FIX_CALLS[c] for c in rows.call_names if c in NO_FIX_CALLS]
        if "unique" in rows.call_names or blocked:
            why = blocked[0] if blocked else "`.unique()`"
            yield rule.finding_at(ctx, node, message, fix_note=f"the query has {why}")
            continue
        note = _unsafe_because(rows, model, attr)
        yield rule.finding_at(
            ctx,
            node,
            message,
            Applicability.UNSAFE if note else Applicability.SAFE,
            fix_note=note,
            plan=ColumnPlan(node, rows, attr, had_all),
        )


def _per_item(iterable: cst.BaseExpression, ancestry: list[cst.CSTNode]) -> bool:
    """Does the query read a name that changes per item of a loop around it?"""
    read = all_names(iterable)
    return any(frame.varying & read for frame in frames_of(ancestry))


def _one_column_of(node: cst.CSTNode):
    """(attr, iterable, ends in .all()) of `[x.attr for x in <iterable>]`, or None."""
    if not isinstance(node, cst.ListComp):
        return None
    clause = node.for_in
    if clause.ifs or clause.inner_for_in is not None or clause.asynchronous:
        return None
    if not isinstance(clause.target, cst.Name):
        return None
    element = node.elt
    if not (
        isinstance(element, cst.Attribute)
        and isinstance(element.value, cst.Name)
        and element.value.value == clause.target.value
    ):
        return None
    iterable = strip_parens(clause.iter)
    had_all = (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Attribute)
        and iterable.func.attr.value == "all"
        and not iterable.args
    )
    return element.attr.value, iterable, had_all


def _with_all(iterable: cst.BaseExpression) -> cst.Call:
    return cst.Call(cst.Attribute(value=iterable, attr=cst.Name("all")))


def _unsafe_because(rows: FetchedRows, model, attr: str) -> str | None:
    if rows.style == V1 and rows.joins:
        return (
            "the query joins other tables: `Query.all()` keeps one object per primary "
            "key, a column query every joined row"
        )
    if model.inherits:
        return (
            f"`{model.name}` inherits from another mapped model: n1fix does not show "
            "that a column query keeps the inheritance criteria"
        )
    if not model.columns[attr].primary_key:
        return (
            "an object already in the session keeps its in-memory value when its row "
            "is loaded again (unflushed under autoflush=False, or changed by another "
            "transaction since), while the column query reads the database"
        )
    return None


# Queryset calls after which `values_list()` reads other rows, or not the same way.
DJANGO_NO_FIX = {
    "distinct": "DISTINCT: distinct rows are not distinct values of one column",
    "prefetch_related": "prefetch_related(), which values_list() does not run",
    "only": "only(), which values_list() replaces",
    "defer": "defer(), which values_list() replaces",
}


def _django_finding(ctx, rule, node, rows: FetchedRows, attr: str):
    model = ctx.model_for(rows.entity)
    if model is None or (attr not in model.columns and attr != "pk"):
        return  # `pk` is Django's name for the primary key on every model
    message = (
        f"every field of `{model.name}` is loaded to read `{attr}`: "
        f'`values_list("{attr}", flat=True)` reads it alone'
    )
    blocked = [DJANGO_NO_FIX[c] for c in rows.call_names if c in DJANGO_NO_FIX]
    if blocked:
        yield rule.finding_at(
            ctx, node, message, fix_note=f"the query has {blocked[0]}"
        )
        return
    yield rule.finding_at(
        ctx,
        node,
        message,
        Applicability.SAFE,
        plan=ColumnPlan(node, rows, attr, False),
    )
