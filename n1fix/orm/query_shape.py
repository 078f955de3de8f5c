"""Recognise SQLAlchemy query expressions in a LibCST tree and describe their shape.

A *shape* says what a query expression means, independent of how it is spelled:
which session runs it, which model it selects, its predicates, ordering and limit, and
the cardinality of its terminal call. Rules decide on shapes; codemods rebuild queries
from them. Covered spellings:

- 2.0 style: `session.scalars(stmt)[.all()|.first()|.one()|.one_or_none()]`,
  `session.execute(stmt)[.scalars()...|.scalar_one()|.scalar_one_or_none()|.scalar()|.all()|.first()]`,
  `session.scalar(stmt)`, `session.get(Model, key)`, each optionally awaited
  (`AsyncSession`), with `stmt` a `select(...)` chain of `.where/.filter/.filter_by/
  .join/.outerjoin/.order_by/.limit/.offset/.options/...`.
- 1.x Query API: `session.query(Model).filter(...)...[.all()|.first()|.one()|
  .one_or_none()|.scalar()|.count()|.get(key)]`, and Flask-SQLAlchemy's `Model.query...`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import libcst as cst

from n1fix.cst.chains import MethodCall, dotted_name, unwind


class Cardinality(str, enum.Enum):
    LIST = "list"  # every row: .all(), iteration
    FIRST = "first"  # the first row or None: .first(), session.scalar() of an entity
    OPTIONAL = "optional"  # one row or None, raises on many: .one_or_none(), get()
    ONE = "one"  # exactly one row, raises otherwise: .one(), .scalar_one()
    COUNT = "count"  # a number: .count(), select(func.count(...))
    EXISTS = "exists"  # a boolean: select(exists().where(...))
    SCALAR = "scalar"  # some other single value


class Style(str, enum.Enum):
    V2 = "2.0"
    V1 = "1.x"
    DJANGO = "django"  # a QuerySet chain on a model's manager


@dataclass
class Predicate:
    """One top-level conjunct of a WHERE: `Model.attr == value` or `filter_by(attr=value)`."""

    node: cst.CSTNode  # the Comparison, or the keyword Arg of filter_by
    container: cst.Call  # the .where/.filter/.filter_by/and_ call holding it
    model: str | None  # the model as written (`Render`), None for filter_by
    attr: str
    value: cst.BaseExpression
    via_filter_by: bool = False
    # The query compares an object (`filter(author=author)`): `value` is then its
    # primary key read (`author.pk`, built, not in the module), which the rule may batch
    # only when the object is shown to be a row of the related model.
    object_key: bool = False


@dataclass
class QueryShape:
    node: cst.BaseExpression  # the whole expression, terminal and await included
    style: Style
    is_async: bool
    session: cst.BaseExpression
    cardinality: Cardinality
    terminal: (
        MethodCall | None
    )  # the call that fixes cardinality, dropped when batching
    # How to turn the expression into an iterable of entities: drop the terminal call,
    # rename it (`session.scalar(q)` -> `session.scalars(q)`), or drop it and add
    # `.scalars()` (`session.execute(q).scalar_one()` -> `session.execute(q).scalars()`).
    terminal_action: str  # "strip" | "rename" | "strip+scalars" | "none"
    entity: cst.BaseExpression | None  # the one selected model (`Render`), if any
    statement_calls: list[MethodCall] = field(
        default_factory=list
    )  # select/query chain
    predicates: list[Predicate] = field(default_factory=list)
    order_by: list[cst.BaseExpression] = field(default_factory=list)
    limit: MethodCall | None = None
    opaque: list[str] = field(default_factory=list)  # parts we cannot reason about
    count_call: cst.Call | None = None  # func.count(...) of a 2.0 count select
    select_call: cst.Call | None = None  # the select(...) / session.query(...) call
    get_key: cst.BaseExpression | None = None  # session.get(Model, key)
    # The column `get_key` is compared with when it is not the primary key (Django's
    # `.get(slug=x)` of a field `in_bulk(field_name=...)` accepts): the batch's key.
    get_key_column: str | None = None
    # Where the query runs in the module, when `node` was rebuilt around a statement
    # held in a variable (`stmt = select(...)`, then `session.scalars(stmt)`).
    exists_calls: list[MethodCall] = field(
        default_factory=list
    )  # exists().where(...) filters
    site: cst.BaseExpression | None = None
    statement_binding: cst.SimpleStatementLine | None = None  # the `stmt = ...` line
    # The `result = await session.execute(...)` line whose `Result` the query reads on
    # the next line (`result.scalars().first()`); the rewrite removes it.
    result_binding: cst.SimpleStatementLine | None = None
    # The one column whose values the query returns, when it selects a column rather
    # than a model and hands back values, not rows (`session.scalars(select(A.x))`,
    # `session.scalar(select(A.x))`, `session.query(A.x).scalar()`).
    values_column: cst.Attribute | None = None

    @property
    def location(self) -> cst.BaseExpression:
        return self.site if self.site is not None else self.node


# Methods that filter, order or shape a select()/Query without changing what it returns.
_CHAIN_METHODS = {
    "where",
    "filter",
    "filter_by",
    "order_by",
    "limit",
    "offset",
    "join",
    "outerjoin",
    "join_from",
    "outerjoin_from",
    "options",
    "execution_options",
    "select_from",
    "distinct",
    "group_by",
    "having",
    "correlate",
    "with_for_update",
    "params",
    "enable_assertions",
    "populate_existing",
    "autoflush",
    "yield_per",
    "slice",
}
_FILTERS = {"where", "filter", "filter_by"}
_SAFE_EXTRAS = {
    "options",
    "execution_options",
    "join",
    "outerjoin",
    "join_from",
    "outerjoin_from",
    "select_from",
}

_RESULT_TERMINALS = {
    "all": Cardinality.LIST,
    "first": Cardinality.FIRST,
    "one": Cardinality.ONE,
    "one_or_none": Cardinality.OPTIONAL,
    "scalar_one": Cardinality.ONE,
    "scalar_one_or_none": Cardinality.OPTIONAL,
    "scalar": Cardinality.FIRST,
}


def is_model_like(node: cst.BaseExpression) -> bool:
    """A class reference: `Render`, `models.Render` (CapWords last part)."""
    name = dotted_name(node)
    if not name:
        return False
    last = name.rsplit(".", 1)[-1]
    return last[:1].isupper() and not last.isupper()


def _is_count(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Call) and dotted_name(node.func) in {
        "func.count",
        "sa.func.count",
        "sqlalchemy.func.count",
    }


def _conjuncts(call: cst.Call) -> list[cst.BaseExpression]:
    out: list[cst.BaseExpression] = []
    for arg in call.args:
        _flatten_and(arg.value, out)
    return out


def _flatten_and(expr: cst.BaseExpression, out: list[cst.BaseExpression]) -> None:
    if isinstance(expr, cst.Call) and dotted_name(expr.func) in {
        "and_",
        "sa.and_",
        "sqlalchemy.and_",
    }:
        for arg in expr.args:
            _flatten_and(arg.value, out)
    else:
        out.append(expr)


def _predicates(calls: list[MethodCall], opaque: list[str]) -> list[Predicate]:
    preds: list[Predicate] = []
    for mc in calls:
        if mc.name not in _FILTERS:
            continue
        if mc.name == "filter_by":
            for arg in mc.call.args:
                if arg.keyword is None:
                    opaque.append("filter_by(**...)")
                    continue
                preds.append(
                    Predicate(
                        arg,
                        mc.call,
                        None,
                        arg.keyword.value,
                        arg.value,
                        via_filter_by=True,
                    )
                )
            continue
        for expr in _conjuncts(mc.call):
            pred = _equality(expr, mc.call)
            if pred is not None:
                preds.append(pred)
            else:
                opaque.append("where")
                preds.append(Predicate(expr, mc.call, None, "", expr))
    return preds


def _equality(expr: cst.BaseExpression, container: cst.Call) -> Predicate | None:
    if not (isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1):
        return None
    comp = expr.comparisons[0]
    if not isinstance(comp.operator, cst.Equal):
        return None
    for column, value in ((expr.left, comp.comparator), (comp.comparator, expr.left)):
        if isinstance(column, cst.Attribute) and is_model_like(column.value):
            return Predicate(
                expr, container, dotted_name(column.value), column.attr.value, value
            )
    return None


def _order_terms(calls: list[MethodCall]) -> list[cst.BaseExpression]:
    terms: list[cst.BaseExpression] = []
    for mc in calls:
        if mc.name == "order_by":
            terms.extend(arg.value for arg in mc.call.args)
    return terms


def exists_chain(expr: cst.BaseExpression) -> list[MethodCall] | None:
    """The `.where(...)` calls of `exists().where(...)` (or `sa.exists()...`), else None."""
    base, calls, is_async = unwind(expr)
    if is_async:
        return None
    if (
        isinstance(base, cst.Call)
        and dotted_name(base.func) == "exists"
        and not base.args
    ):
        filters = calls
    elif (
        calls
        and calls[0].name == "exists"
        and not calls[0].call.args
        and isinstance(base, cst.Name)
    ):
        filters = calls[1:]
    else:
        return None
    if not filters or any(mc.name not in {"where", "filter"} for mc in filters):
        return None
    return filters


def parse_select(stmt: cst.BaseExpression) -> tuple[cst.Call, list[MethodCall]] | None:
    """`select(X).where(...)...` -> (the select() call, [chain calls])."""
    base, calls, is_async = unwind(stmt)
    if is_async:
        return None
    # `select(X)` itself is a plain call, not a method call: it is the innermost element.
    head: cst.Call | None = None
    if (
        calls
        and isinstance(calls[0].call.func, cst.Attribute)
        and dotted_name(calls[0].call.func) in {"sa.select", "sqlalchemy.select"}
    ):
        head = calls.pop(0).call
    elif isinstance(base, cst.Call) and dotted_name(base.func) == "select":
        head = base
    if head is None or any(mc.name not in _CHAIN_METHODS for mc in calls):
        return None
    return head, calls


def recognize(node: cst.BaseExpression) -> QueryShape | None:
    """The query shape of `node`, or None when it is not a recognisable query."""
    base, calls, is_async = unwind(node)
    if not calls:
        return None
    shape = _recognize_v2(node, base, calls, is_async)
    if shape is None:
        shape = _recognize_v1(node, base, calls, is_async)
    return shape


def _recognize_v2(
    node, base, calls: list[MethodCall], is_async: bool
) -> QueryShape | None:
    first = calls[0]
    # `.unique()` (needed with joined eager loads of collections) changes no cardinality
    # and stays in the batched query.
    rest = [mc for mc in calls[1:] if mc.name != "unique"]
    if (
        first.name == "get"
        and len(first.call.args) == 2
        and is_model_like(first.call.args[0].value)
        and not rest
    ):
        entity = first.call.args[0].value
        return QueryShape(
            node=node,
            style=Style.V2,
            is_async=is_async,
            session=base,
            cardinality=Cardinality.OPTIONAL,
            terminal=first,
            terminal_action="none",
            entity=entity,
            get_key=first.call.args[1].value,
        )
    if first.name not in {"scalars", "execute", "scalar"} or not first.call.args:
        return None
    parsed = parse_select(first.call.args[0].value)
    if parsed is None:
        return None
    select_call, stmt_calls = parsed
    columns = [a.value for a in select_call.args]
    entity = columns[0] if len(columns) == 1 and is_model_like(columns[0]) else None
    count_call = columns[0] if len(columns) == 1 and _is_count(columns[0]) else None

    cardinality: Cardinality | None
    terminal: MethodCall | None = None
    scalars_needed = False
    if first.name == "scalar":
        if rest:
            return None
        cardinality, terminal = Cardinality.FIRST, first
    elif first.name == "scalars":
        if not rest:
            cardinality = Cardinality.LIST
        elif len(rest) == 1 and rest[0].name in {"all", "first", "one", "one_or_none"}:
            cardinality, terminal = _RESULT_TERMINALS[rest[0].name], rest[0]
        else:
            return None
    else:  # execute
        tail = rest
        if tail and tail[0].name == "scalars":
            tail = tail[1:]
            if not tail:
                cardinality = Cardinality.LIST
            elif len(tail) == 1 and tail[0].name in {
                "all",
                "first",
                "one",
                "one_or_none",
            }:
                cardinality, terminal = _RESULT_TERMINALS[tail[0].name], tail[0]
            else:
                return None
        elif len(tail) == 1 and tail[0].name in {
            "scalar_one",
            "scalar_one_or_none",
            "scalar",
        }:
            cardinality, terminal = _RESULT_TERMINALS[tail[0].name], tail[0]
            scalars_needed = True
        elif not tail or (
            len(tail) == 1 and tail[0].name in {"all", "first", "one", "one_or_none"}
        ):
            # Rows, not entities: reported, not batched yet.
            cardinality, terminal = Cardinality.SCALAR, (tail[0] if tail else None)
        else:
            return None
    values_column = None
    exists = exists_chain(columns[0]) if len(columns) == 1 else None
    if exists is not None:
        if cardinality not in {Cardinality.FIRST, Cardinality.ONE} or stmt_calls:
            return None
        cardinality = Cardinality.EXISTS
    elif count_call is not None:
        if cardinality not in {Cardinality.FIRST, Cardinality.ONE}:
            return None
        cardinality = Cardinality.COUNT
    elif (
        entity is None
        and _returns_values(first, rest)
        and _is_column(columns)
        # `.unique()` of values drops repeated values of one item, which grouping the
        # rows of all items by key would not
        and not any(mc.name == "unique" for mc in calls[1:])
    ):
        values_column = columns[0]
    elif entity is None:
        cardinality = (
            Cardinality.SCALAR
        )  # columns, not a model: rows have no key to group by

    if first.name == "scalar":
        action = "rename"
    elif terminal is None:
        action = "none"
    else:
        action = "strip+scalars" if scalars_needed else "strip"
    opaque: list[str] = []
    preds = _predicates(stmt_calls + (exists or []), opaque)
    limit = next((mc for mc in stmt_calls if mc.name == "limit"), None)
    for mc in stmt_calls:
        if mc.name not in _FILTERS | _SAFE_EXTRAS | {"order_by", "limit"}:
            opaque.append(mc.name)
    return QueryShape(
        node=node,
        style=Style.V2,
        is_async=is_async,
        session=base,
        cardinality=cardinality,
        terminal=terminal,
        terminal_action=action,
        entity=entity,
        statement_calls=stmt_calls,
        predicates=preds,
        order_by=_order_terms(stmt_calls),
        limit=limit,
        opaque=opaque,
        count_call=count_call,
        select_call=select_call,
        exists_calls=exists or [],
        values_column=values_column,
    )


def _is_column(columns: list[cst.BaseExpression]) -> bool:
    """One selected `Model.column`."""
    return (
        len(columns) == 1
        and isinstance(columns[0], cst.Attribute)
        and is_model_like(columns[0].value)
    )


def _returns_values(first: MethodCall, rest: list[MethodCall]) -> bool:
    """Does the 2.0 call hand back the first column's values rather than rows?"""
    if first.name in {"scalar", "scalars"}:
        return True
    return bool(rest) and rest[0].name in {
        "scalars",
        "scalar_one",
        "scalar_one_or_none",
        "scalar",
    }


def _recognize_v1(
    node, base, calls: list[MethodCall], is_async: bool
) -> QueryShape | None:
    if is_async:
        return None
    if calls[0].name == "query":
        head = calls[0].call
        session = base
        chain = calls[1:]
        columns = [a.value for a in head.args]
        if not columns:
            return None
        entity = columns[0] if len(columns) == 1 and is_model_like(columns[0]) else None
        if entity is None and not any(
            is_model_like(c) or isinstance(c, cst.Attribute) for c in columns
        ):
            if not (len(columns) == 1 and exists_chain(columns[0]) is not None):
                return None
    elif (
        isinstance(base, cst.Attribute)
        and base.attr.value == "query"
        and is_model_like(base.value)
    ):
        head = None
        session = base
        entity = base.value
        chain = calls
    else:
        return None
    if not chain and head is not None and entity is None:
        return None
    terminal: MethodCall | None = None
    cardinality = Cardinality.LIST
    get_key = None
    values_column = None
    if chain and chain[-1].name not in _CHAIN_METHODS:
        terminal = chain[-1]
        chain = chain[:-1]
        name = terminal.name
        if name == "count":
            cardinality = Cardinality.COUNT
        elif name == "get" and len(terminal.call.args) == 1:
            cardinality = Cardinality.OPTIONAL
            get_key = terminal.call.args[0].value
        elif name == "scalar":
            # 1.x `Query.scalar()` is `.one()` with None for no row: it raises on
            # several rows, unlike 2.0's `Result.scalar()`, which takes the first.
            cardinality = Cardinality.OPTIONAL
        elif name in {"all", "first", "one", "one_or_none"}:
            cardinality = _RESULT_TERMINALS[name]
        else:
            return None
    if any(mc.name not in _CHAIN_METHODS for mc in chain):
        return None
    if head is None and not chain and terminal is None:
        return None  # a bare `Model.query` is not a query run
    exists = (
        exists_chain(head.args[0].value)
        if head is not None and len(head.args) == 1
        else None
    )
    if (
        exists is not None
        and terminal is not None
        and terminal.name == "scalar"
        and not chain
    ):
        cardinality = Cardinality.EXISTS
    elif (
        entity is None
        and head is not None
        and terminal is not None
        and terminal.name == "scalar"
        and _is_column(columns)
    ):
        # `Query.scalar()`: the first column of the one row, None for none; more rows
        # raise, as `.one_or_none()` does.
        values_column = columns[0]
        cardinality = Cardinality.OPTIONAL
    elif entity is None:
        cardinality = (
            Cardinality.SCALAR
        )  # columns, not a model: rows have no key to group by
    opaque: list[str] = []
    preds = _predicates(chain + (exists or []), opaque)
    for mc in chain:
        if mc.name not in _FILTERS | _SAFE_EXTRAS | {"order_by", "limit"}:
            opaque.append(mc.name)
    return QueryShape(
        node=node,
        style=Style.V1,
        is_async=False,
        session=session,
        cardinality=cardinality,
        terminal=terminal,
        terminal_action="strip" if terminal is not None else "none",
        entity=entity,
        statement_calls=chain,
        predicates=preds,
        order_by=_order_terms(chain),
        limit=next((mc for mc in chain if mc.name == "limit"), None),
        opaque=opaque,
        select_call=head,
        get_key=get_key,
        exists_calls=exists or [],
        values_column=values_column,
    )
