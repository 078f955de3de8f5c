"""Recognise SQLAlchemy write statements run through a session or connection.

`session.execute(update(M).where(...).values(...))`, `delete(M).where(...)`,
`insert(M).values(...)` and `session.execute(insert(M), {...})`, optionally awaited
(`AsyncSession`, `AsyncConnection`), with the statement functions spelled as imported
(`update`, `sa.update`, `sqlalchemy.update`). A *write shape* says what the statement
does, independent of spelling: its kind, target, WHERE predicates, values and
parameters. Rules decide on shapes; codemods rebuild statements from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.orm.query_shape import (
    MethodCall,
    Predicate,
    _predicates,
    dotted_name,
    is_model_like,
    unwind,
)

KINDS = ("insert", "update", "delete")
# Chain methods that only say which rows and what values; anything else is `opaque`.
_PLAIN_METHODS = {"where", "filter", "filter_by", "values", "execution_options"}


@dataclass
class WriteShape:
    node: cst.BaseExpression  # the whole expression, await included
    call: cst.Call  # `session.execute(...)`
    is_async: bool
    session: cst.BaseExpression
    kind: str  # insert | update | delete
    head: cst.Call  # `update(Render)`
    target: cst.BaseExpression  # `Render` (or a Table)
    statement: cst.BaseExpression  # the statement argument as written
    calls: list[MethodCall] = field(
        default_factory=list
    )  # .where/.values/... after the head
    predicates: list[Predicate] = field(default_factory=list)
    values: MethodCall | None = None
    params: cst.BaseExpression | None = None  # execute()'s second argument
    opaque: list[str] = field(
        default_factory=list
    )  # chain methods n1fix does not reason about
    # The variable the statement was built in (`stmt = update(...)`, then `execute(stmt)`).
    through: str | None = None

    @property
    def mapped(self) -> bool:
        """The target is spelled like a mapped class (`Render`), not a Table (`renders`)."""
        return is_model_like(self.target)


def recognize_write(
    node: cst.BaseExpression,
    imports: dict[str, str],
    built: dict[str, cst.BaseExpression] | None = None,
) -> WriteShape | None:
    """The write shape of `session.execute(<insert|update|delete statement>[, params])`.

    `built` maps names to the statements they were assigned (`stmt = update(...)`), for
    `execute(stmt)`; the shape's `through` is then that name.
    """
    is_async = isinstance(node, cst.Await)
    call = node.expression if is_async else node
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "execute"
    ):
        return None
    if (
        not call.args
        or len(call.args) > 2
        or any(arg.star or arg.keyword for arg in call.args)
    ):
        return None
    statement = call.args[0].value
    through = None
    if isinstance(statement, cst.Name) and built and statement.value in built:
        through, statement = statement.value, built[statement.value]
    parsed = _statement(statement, imports)
    if parsed is None:
        return None
    kind, head, calls = parsed
    if not head.args or head.args[0].keyword is not None:
        return None
    opaque: list[str] = [mc.name for mc in calls if mc.name not in _PLAIN_METHODS]
    if len(head.args) > 1 and kind == "update":
        opaque.append("update(..., values)")
    values = [mc for mc in calls if mc.name == "values"]
    if len(values) > 1:
        opaque.append("values")
    return WriteShape(
        node=node,
        call=call,
        is_async=is_async,
        session=call.func.value,
        kind=kind,
        head=head,
        target=head.args[0].value,
        statement=statement,
        calls=calls,
        predicates=[
            _column_equality(p, dotted_name(head.args[0].value))
            for p in _predicates(calls, [])
        ],
        values=values[0] if values else None,
        params=call.args[1].value if len(call.args) == 2 else None,
        opaque=opaque,
        through=through,
    )


def _statement(
    expr: cst.BaseExpression, imports: dict[str, str]
) -> tuple[str, cst.Call, list[MethodCall]] | None:
    """(kind, the `update(M)` call, the calls chained after it) of a DML statement."""
    base, calls, is_async = unwind(expr)
    if is_async:
        return None
    if isinstance(base, cst.Call) and isinstance(base.func, cst.Name):
        name = base.func.value
        qualified = imports.get(name, "")
        if (
            name in KINDS
            and qualified.startswith("sqlalchemy")
            and qualified.rsplit(".", 1)[-1] == name
        ):
            return name, base, calls
        return None
    if calls and calls[0].name in KINDS:
        module = dotted_name(calls[0].call.func.value)
        if module is None:
            return None
        first, dot, rest = module.partition(".")
        qualified = imports.get(first, "") + dot + rest
        if qualified.startswith("sqlalchemy"):
            return calls[0].name, calls[0].call, calls[1:]
    return None


def _column_equality(pred: Predicate, target: str | None) -> Predicate:
    """`table.c.id == key`, or `TI.dag_id == key` on a target spelled in capitals
    (`TI = TaskInstance`), as a column predicate of the target, not an opaque condition;
    other predicates as they are."""
    node = pred.node
    if pred.attr or not (
        isinstance(node, cst.Comparison) and len(node.comparisons) == 1
    ):
        return pred
    if not isinstance(node.comparisons[0].operator, cst.Equal):
        return pred
    for column, value in (
        (node.left, node.comparisons[0].comparator),
        (node.comparisons[0].comparator, node.left),
    ):
        if (
            isinstance(column, cst.Attribute)
            and isinstance(column.value, cst.Attribute)
            and column.value.attr.value == "c"
        ):
            table = dotted_name(column.value.value)
            if table is not None:
                return Predicate(node, pred.container, table, column.attr.value, value)
        if (
            isinstance(column, cst.Attribute)
            and target is not None
            and dotted_name(column.value) == target
        ):
            return Predicate(node, pred.container, target, column.attr.value, value)
    return pred


@dataclass
class ModelWrite:
    """A write through a model's own API rather than a statement (Django's
    `Book.objects.create(...)`, `book.save()`, `book.delete()`,
    `Book.objects.filter(...).update(...)`), one call per row.

    `kind`: "create", "save", "delete" (of one object), "update" / "delete_rows" (of a
    queryset, `query` its shape), "get_or_create" or "update_or_create". `receiver`: the
    manager, object or queryset called; `entity`: the model class when the call names it
    (`Book` of `Book.objects.create`), None for an object's own method (the model is then
    the object's, found by the rule).
    """

    node: cst.BaseExpression  # the whole expression, await included
    call: cst.Call
    kind: str
    receiver: cst.BaseExpression
    entity: cst.BaseExpression | None = None
    is_async: bool = False
    query: object | None = (
        None  # the QueryShape of an `update` / `delete_rows` receiver
    )
