"""Where a loop's rows come from: the query that loads them, seen in the function or in a
function of the same module that returns it, and where a loader option would go."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.item_facts import bindings
from n1fix.cst.chains import unwind
from n1fix.cst.syntax import walk
from n1fix.orm.dialect import Cardinality, Options, QueryShape, Style

_RUNNERS = {"scalars", "execute", "scalar"}


@dataclass
class Source:
    """The query the loop's rows come from, and where a loader option goes."""

    shape: QueryShape
    model: object  # ModelInfo of the rows
    entity_code: str  # the model as the query spells it (`Project`, `models.Project`)
    options: Options
    head: (
        cst.BaseExpression
    )  # select(...) / session.query(...) / Model.query: `.options` goes after it
    layout: (
        cst.BaseExpression
    )  # the expression to re-break when the line grows too long
    chain: (
        cst.BaseExpression
    )  # the select(...)/query(...) chain itself (inside `layout`, or it)
    helper: str | None = (
        None  # the function of this module that runs the query and returns the rows
    )


def row_source(
    ctx, iterable: cst.BaseExpression, ancestry, follow: bool = True
) -> Source | None:
    """The query the rows come from, when n1fix can see it in the function or in a
    function of the same module that returns it (else None: the rows come from
    elsewhere, possibly loaded eagerly there, and nothing is reported)."""
    value: cst.BaseExpression | None = iterable
    if isinstance(iterable, cst.Name):
        found = bindings(iterable.value, ancestry)
        values = [v for v, _ in found]
        value = values[0] if len(values) == 1 else None
    if not isinstance(value, (cst.Call, cst.Await)):
        return None
    statement, shape = None, ctx.orm.query_shape(value)
    if shape is None:
        statement, shape = _through_statement_variable(ctx, value, ancestry)
    if shape is None and follow:
        return _through_helper(ctx, value, ancestry)
    if (
        shape is None
        or shape.entity is None
        or shape.cardinality is not Cardinality.LIST
    ):
        return None
    model = ctx.model_for(shape.entity)
    if model is None:
        return None
    if shape.style is Style.V2:
        runner = unwind(shape.node)[1][0].call
        parsed = ctx.orm.statement_parts(
            statement if statement is not None else runner.args[0].value
        )
        if parsed is None:
            return None
        head, calls = parsed
        layout = statement if statement is not None else runner
        chain = statement if statement is not None else runner.args[0].value
    else:
        calls = shape.statement_calls
        head = shape.select_call if shape.select_call is not None else shape.session
        layout = chain = value.expression if isinstance(value, cst.Await) else value
    return Source(
        shape,
        model,
        ctx.code(shape.entity),
        ctx.orm.loader_options(calls),
        head,
        layout,
        chain,
    )


def _through_helper(ctx, value, ancestry) -> Source | None:
    """`projects = self._projects_of(user_id)` (or a module function) whose one `return`
    is the query: the option goes there."""
    call = value.expression if isinstance(value, cst.Await) else value
    if not isinstance(call, cst.Call):
        return None
    helper = None
    if isinstance(call.func, cst.Name):
        helper = defined_in(ctx.module.body, call.func.value)
    elif (
        isinstance(call.func, cst.Attribute)
        and isinstance(call.func.value, cst.Name)
        and call.func.value.value in ("self", "cls")
    ):
        owner = next(
            (n for n in reversed(ancestry) if isinstance(n, cst.ClassDef)), None
        )
        if owner is not None:
            helper = defined_in(owner.body.body, call.func.attr.value)
    if helper is None or any(isinstance(n, (cst.Yield)) for n in walk(helper.body)):
        return None
    returns = [n for n in walk(helper.body) if isinstance(n, cst.Return)]
    if len(returns) != 1 or returns[0].value is None:
        return None
    source = row_source(
        ctx, returns[0].value, [ctx.module, helper, returns[0]], follow=False
    )
    if source is not None:
        source.helper = helper.name.value
    return source


def defined_in(body, name: str) -> cst.FunctionDef | None:
    found = [s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == name]
    return found[0] if len(found) == 1 else None


def _through_statement_variable(ctx, value, ancestry):
    """`session.scalars(stmt)` with `stmt = select(...)` bound once in the function."""
    _, calls, _ = unwind(value)
    if not calls or calls[0].name not in _RUNNERS or not calls[0].call.args:
        return None, None
    argument = calls[0].call.args[0].value
    if not isinstance(argument, cst.Name):
        return None, None
    found = bindings(argument.value, ancestry)
    if (
        len(found) != 1
        or found[0][0] is None
        or ctx.orm.statement_parts(found[0][0]) is None
    ):
        return None, None
    statement = found[0][0]
    runner = calls[0].call

    class _Inline(cst.CSTTransformer):
        def leave_Call(self, original, updated):
            if original is not runner:
                return updated
            return updated.with_changes(
                args=[updated.args[0].with_changes(value=statement), *updated.args[1:]]
            )

    return statement, ctx.orm.query_shape(value.visit(_Inline()))
