"""Rewrite a filter-in-python finding: the comprehension's tests go into the query's WHERE.

    users = session.scalars(select(User)).all()          active = session.scalars(
    active = [u for u in users if u.is_admin]      ->        select(User).where(User.is_admin.is_(True))
                                                         ).all()
    select(User).where(User.org_id == 1)                -> select(User).where(User.org_id == 1, User.is_admin.is_(True))
    session.query(User).all()                           -> session.query(User).filter(User.is_admin.is_(True)).all()
    [u.email for u in users if u.is_admin]              -> [u.email for u in users]   (over the filtered rows)

The conditions join the query's last `.where(...)`/`.filter(...)`, or a new one goes right
after `select(...)`/`session.query(...)` and its joins and options. Line breaking follows
the lazy-load-in-loop codemod (black's style when a one-line statement grows too long).
"""

from __future__ import annotations

import libcst as cst

from n1fix.codemods.lazy_load_in_loop.rewrite import (
    InsertOptions,
    ReplaceNode,
    broken_like_black,
    edited_query,
    with_argument,
)
from n1fix.cst.imports import add_from_import, spelled_or_needed
from n1fix.cst.layout import render
from n1fix.orm.dialect import Style
from n1fix.rules.base import Finding
from n1fix.rules.filter_in_python.analysis import FilterPlan

# Calls a new WHERE goes after: it reads best once the FROM side is complete.
_BEFORE_WHERE = {
    "join",
    "outerjoin",
    "join_from",
    "outerjoin_from",
    "select_from",
    "options",
    "execution_options",
}


def fix(ctx, finding: Finding) -> cst.Module:
    plan: FilterPlan = finding.plan
    source = plan.source
    config = ctx.module.config_for_parsing
    codes = [c.code for c in plan.conditions]
    needed: list[tuple[str, str]] = []
    if any(c.needs_or for c in plan.conditions):
        spelled = spelled_or_needed(ctx, "sqlalchemy.or_", needed)
        if spelled != "or_":
            codes = [
                code.replace("or_(", f"{spelled}(", 1)
                if code.startswith("or_(")
                else code
                for code in codes
            ]
    conditions = [cst.parse_expression(code, config=config) for code in codes]
    edit = _where_edit(source, conditions, plan.style)

    comp = plan.site
    if plan.mode == "fold":
        assign = plan.rows_binding.body[0]
        value = assign.value.visit(edit)
        if plan.add_all:
            value = cst.Call(cst.Attribute(value, cst.Name("all")))
        value = _fitted(ctx, comp, assign.value, value, source)
        module = ctx.module.visit(_Fold(plan.rows_binding, comp, value))
    else:
        old, new = edited_query(ctx, source, edit)
        module = ctx.module.visit(_ReplaceBoth(old, new, comp, plan))
    for source_module, name in needed:
        module = add_from_import(module, source_module, name, ctx.first_party)
    return module


def _where_edit(
    source, conditions: list[cst.BaseExpression], style: Style
) -> cst.CSTTransformer:
    calls = source.shape.statement_calls
    filters = [mc for mc in calls if mc.name in ("where", "filter") and mc.call.args]
    if filters:
        call = filters[-1].call
        new = call
        for condition in conditions:
            new = with_argument(new, condition)
        return ReplaceNode(call, new)
    anchor = source.head
    for mc in calls:
        if mc.name in _BEFORE_WHERE:
            anchor = mc.call
    method = "where" if style is Style.V2 else "filter"
    return InsertOptions(anchor, conditions, method=method)


class _ReplaceBoth(cst.CSTTransformer):
    """The query edited where it is built, and the comprehension without its tests (or,
    iterating the query itself, replaced by it)."""

    def __init__(self, old, new, comp, plan: FilterPlan) -> None:
        self.old, self.new = old, new
        self.comp, self.plan = comp, plan

    def on_leave(self, original, updated):
        if original is self.old:
            return self.new
        if original is self.comp:
            if self.plan.mode == "query":
                value = updated.for_in.iter
                if not self.plan.add_all:
                    return value
                if (
                    isinstance(value, cst.Await) and not value.lpar
                ):  # `(await ...).all()`, not `await ....all()`
                    value = value.with_changes(
                        lpar=[cst.LeftParen()], rpar=[cst.RightParen()]
                    )
                return cst.Call(cst.Attribute(value, cst.Name("all")))
            if self.plan.mode == "name":
                return updated.for_in.iter
            if self.plan.mode == "list":
                return cst.Call(cst.Name("list"), [cst.Arg(updated.for_in.iter)])
            return updated.with_changes(for_in=updated.for_in.with_changes(ifs=[]))
        return updated


class _Fold(cst.CSTTransformer):
    """`rows = <query>` then `x = [r for r in rows if ...]` -> `x = <filtered query>`."""

    def __init__(self, binding: cst.SimpleStatementLine, comp, value) -> None:
        self.binding, self.comp, self.value = binding, comp, value
        self.leading = binding.leading_lines

    def on_leave(self, original, updated):
        if original is self.comp:
            return self.value
        if isinstance(original, (cst.IndentedBlock, cst.Module)):
            return updated.with_changes(body=self._body(original.body, updated.body))
        return updated

    def _body(self, original, updated):
        if self.binding not in original:
            return updated
        at = original.index(self.binding)
        body = list(updated)
        following = body[at + 1].with_changes(
            leading_lines=[*self.leading, *body[at + 1].leading_lines]
        )
        return [*body[:at], following, *body[at + 2 :]]


def _fitted(ctx, comp, old_value, value, source) -> cst.BaseExpression:
    """The folded query at the comprehension's place, broken black's way when its line is
    now too long (and the query was one line)."""
    if "\n" in ctx.code(old_value):
        return value
    start = ctx.range_of(comp).start
    line = ctx.text.splitlines()[start.line - 1]
    comp_code = ctx.code(comp)
    if "\n" in comp_code:
        tail = ""
    else:
        tail = line[start.column + len(comp_code) :]
    limit = ctx.project.line_length
    if len(line[: start.column] + render(value) + tail) <= limit:
        return value
    indent = len(line) - len(line.lstrip())
    call = value
    suffix = ""
    while (
        source.shape.style is Style.V2
        and isinstance(call, cst.Call)
        and not call.args
        and isinstance(call.func, cst.Attribute)
    ):
        suffix = (
            f".{call.func.attr.value}()" + suffix
        )  # `session.scalars(...).all()`: break inside the runner
        call = call.func.value
    broken = broken_like_black(call, indent, limit)
    if broken is None:
        return value
    return cst.parse_expression(broken + suffix, config=ctx.module.config_for_parsing)
