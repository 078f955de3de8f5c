"""Every row of a query fetched at once: `<query>.all()` (SQLAlchemy 2.0's
`session.scalars(stmt)` / `session.execute(stmt)`, awaited or not, and the 1.x `Query`)
or a Django queryset read whole (`len(qs)`, `list(qs)`). What the fetching-too-much rules
(`count-via-len`, `first-row-via-all`, `whole-rows-for-one-column`) read of a query:
which API, the statement, and the parts of it that change what a smaller query returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from n1fix.analysis.ast_fetched_rows import (
    DJANGO_CALLS,
    JOINS,
    RUNNERS,
    STATEMENT_CALLS,
)
from n1fix.cst.chains import MethodCall

V2, V1, DJANGO = "2.0", "1.x", "django"


@dataclass
class FetchedRows:
    """One query read whole. `statement` is what a smaller query is made from: the
    `select(...)` chain (2.0), the Query chain before `.all()` (1.x), the queryset
    (Django); `head` its `select(...)` / `session.query(...)` / `Model.objects` part."""

    node: cst.BaseExpression  # the whole read (`session.scalars(stmt).all()`)
    style: str  # V2, V1 or DJANGO
    statement: cst.BaseExpression
    head: cst.BaseExpression | None
    calls: list[MethodCall] = field(default_factory=list)  # after the head, in order
    runner: cst.Call | None = None  # 2.0: `session.scalars(...)` / `.execute(...)`
    awaited: bool = False
    inline: bool = True  # the statement is written in the call (not a name)
    # A 1.x Query held in a name: the one statement of the scope that binds it
    binding: cst.BaseExpression | None = None

    @property
    def call_names(self) -> list[str]:
        return [c.name for c in self.calls]

    @property
    def joins(self) -> bool:
        return bool(JOINS & set(self.call_names))

    @property
    def ordered(self) -> bool:
        return "order_by" in self.call_names

    @property
    def entity(self) -> cst.BaseExpression | None:
        """The one model the head selects (`select(User)`, `session.query(User)`,
        `User.query`, `User.objects`), if it selects one thing."""
        head = self.head
        if isinstance(head, cst.Call):
            args = head.args
            if len(args) == 1 and not args[0].keyword and not args[0].star:
                return args[0].value
            return None
        if isinstance(head, cst.Attribute):
            return head.value
        return None


def strip_parens(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.with_changes(lpar=[], rpar=[]) if getattr(node, "lpar", None) else node


def all_rows(node: cst.BaseExpression) -> FetchedRows | None:
    """`node` as a SQLAlchemy query read whole with `.all()`, or None."""
    if not (
        isinstance(node, cst.Call)
        and not node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "all"
    ):
        return None
    inner = node.func.value
    awaited = False
    if isinstance(inner, cst.Await):
        awaited, inner = True, inner.expression
    if (
        isinstance(inner, cst.Call)
        and isinstance(inner.func, cst.Attribute)
        and inner.func.attr.value in RUNNERS
        and len(inner.args) == 1
        and not inner.args[0].keyword
        and not inner.args[0].star
    ):
        statement = inner.args[0].value
        head, calls = _chain(statement)
        if head is not None and _is_select(head):
            return FetchedRows(node, V2, statement, head, calls, inner, awaited)
        if isinstance(statement, cst.Name):
            return FetchedRows(
                node, V2, statement, None, [], inner, awaited, inline=False
            )
        return None
    if awaited:
        return None
    head, calls = _chain(inner)
    if head is not None and (_is_query(head) or _is_model_query(head)):
        return FetchedRows(node, V1, inner, head, calls)
    return None


def django_rows(node: cst.BaseExpression, ctx) -> FetchedRows | None:
    """`node` as a queryset on a model's manager (`Book.objects.filter(...)`), where the
    model is a Django model of the index (`is_django_model`), or None."""
    head, calls = _chain(node, DJANGO_CALLS)
    if (
        isinstance(head, cst.Attribute)
        and head.attr.value == "objects"
        and isinstance(head.value, cst.Name)
        and is_django_model(ctx, head.value)
    ):
        return FetchedRows(node, DJANGO, node, head, calls)
    return None


def scopes(module: cst.Module):
    """The module and every function in it: the scopes a name is bound in."""
    from n1fix.cst.syntax import walk

    yield module
    for node in walk(module, into_scopes=True):
        if isinstance(node, cst.FunctionDef):
            yield node


def bound_query_rows(
    node: cst.BaseExpression, scope: cst.CSTNode
) -> FetchedRows | None:
    """`<name>.all()` where `<name>` is bound once in `scope`, to a 1.x Query
    (`query = session.query(M).filter(...)`), before it is read; or None."""
    from n1fix.cst.syntax import walk

    if not (
        isinstance(node, cst.Call)
        and not node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "all"
        and isinstance(node.func.value, cst.Name)
    ):
        return None
    name = node.func.value.value
    bindings = []
    for inner in walk(scope):
        if isinstance(inner, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = (
                [t.target for t in inner.targets]
                if isinstance(inner, cst.Assign)
                else [inner.target]
            )
            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                bindings.append(inner)
        elif isinstance(inner, (cst.For, cst.With, cst.NamedExpr, cst.Global)):
            if name in _names_bound_by(inner):
                return None
    if len(bindings) != 1 or not isinstance(bindings[0], cst.Assign):
        return None
    value = bindings[0].value
    head, calls = _chain(value)
    if head is None or not (_is_query(head) or _is_model_query(head)):
        return None
    if isinstance(scope, cst.FunctionDef) and name in {
        p.name.value for p in scope.params.params
    }:
        return None
    return FetchedRows(node, V1, node.func.value, head, calls, binding=value)


def _names_bound_by(node: cst.CSTNode) -> set[str]:
    from n1fix.cst.syntax import target_names

    if isinstance(node, cst.For):
        return target_names(node.target)
    if isinstance(node, cst.NamedExpr):
        return target_names(node.target)
    if isinstance(node, cst.Global):
        return {n.name.value for n in node.names}
    found: set[str] = set()
    for item in node.items:
        if item.asname is not None:
            found |= target_names(item.asname.name)
    return found


def is_django_model(ctx, name: cst.Name) -> bool:
    """Does `name` (the `Name` of `Name.objects`) name a Django model of the index?
    Asked of the one manager a chain starts at: a walk of the module for every manager
    in it, per query read, cost pretix's scan a tenth of its checks."""
    model = ctx.model_for(name)
    return model is not None and getattr(model, "django", None) is not None


def _chain(
    node: cst.BaseExpression, allowed: set[str] = STATEMENT_CALLS
) -> tuple[cst.BaseExpression | None, list[MethodCall]]:
    """(head, calls): `head.c1(...).c2(...)` with every call in `allowed`, or None for
    the head when some call is not (its meaning unknown)."""
    calls: list[MethodCall] = []
    current = node
    while (
        isinstance(current, cst.Call)
        and isinstance(current.func, cst.Attribute)
        and not (_is_query(current) or _is_select(current))
    ):
        name = current.func.attr.value
        if name not in allowed:
            return None, []
        calls.append(MethodCall(name, current))
        current = current.func.value
    calls.reverse()
    return current, calls


def _is_select(node: cst.BaseExpression) -> bool:
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    name = func.value if isinstance(func, cst.Name) else None
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        name = func.attr.value if func.value.value in ("sa", "sqlalchemy") else None
    return name == "select" and bool(node.args)


def _is_query(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "query"
        and bool(node.args)
    )


def _is_model_query(node: cst.BaseExpression) -> bool:
    """Flask-SQLAlchemy's `Model.query`."""
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "query"
        and isinstance(node.value, cst.Name)
        and node.value.value[:1].isupper()
    )
