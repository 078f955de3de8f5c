"""An `ast` superset of `fetched_rows`: may an expression be a query read whole?

For the gates of first-row-via-all and count-via-len, which run on every file before
LibCST is loaded: each answer says yes wherever `fetched_rows.all_rows`,
`bound_query_rows` or `django_rows` may find rows, and no for the `.all()` of a Django
related manager or any other object (`item.variations.all()`).
"""

from __future__ import annotations

import ast

# The calls the check (`fetched_rows`) reads as running, continuing or reading a query;
# kept here, where a gate may import them without loading LibCST, and read by the check.
RUNNERS = ("scalars", "execute")
# Calls of a select()/Query chain that join other tables: a 1.x Query de-duplicates the
# entities of such rows, so its `.all()` may hold fewer objects than the SQL has rows.
JOINS = {"join", "outerjoin", "join_from", "outerjoin_from", "select_from"}
# Calls of a select()/Query chain that keep it one query of the same rows.
STATEMENT_CALLS = {
    "where",
    "filter",
    "filter_by",
    "order_by",
    "limit",
    "offset",
    "options",
    "execution_options",
    "distinct",
    "group_by",
    "having",
    *JOINS,
}
# Calls of a Django queryset read whole (`fetched_rows.django_rows`).
DJANGO_CALLS = {
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "distinct",
    "using",
}


def may_be_read_whole(receiver: ast.AST) -> bool:
    """May `<receiver>.all()` be a SQLAlchemy query read whole (a superset of
    `fetched_rows.all_rows` and `bound_query_rows`)? A runner's call
    (`session.scalars(...)`, awaited or not), a chain of statement calls on a 1.x
    `....query(...)` or `Model.query`, or a name (a Query bound in the function). Not
    a Django related manager (`op.linked_media.all()`)."""
    if isinstance(receiver, ast.Name):
        return True
    if isinstance(receiver, ast.Await):
        receiver = receiver.value
        return _runs_a_statement(receiver)
    if _runs_a_statement(receiver):
        return True
    while (
        isinstance(receiver, ast.Call)
        and isinstance(receiver.func, ast.Attribute)
        and receiver.func.attr != "query"
    ):
        if receiver.func.attr not in STATEMENT_CALLS:
            return False
        receiver = receiver.func.value
    if isinstance(receiver, ast.Call):
        return isinstance(receiver.func, ast.Attribute)  # `....query(...)`
    return isinstance(receiver, ast.Attribute) and receiver.attr == "query"


def _runs_a_statement(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in RUNNERS
    )


def may_be_django_rows(expr: ast.AST) -> bool:
    """May `expr` be a queryset on a model's manager (a superset of
    `fetched_rows.django_rows`): a chain of `DJANGO_CALLS` on `Name.objects`."""
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        if expr.func.attr not in DJANGO_CALLS:
            return False
        expr = expr.func.value
    return (
        isinstance(expr, ast.Attribute)
        and expr.attr == "objects"
        and isinstance(expr.value, ast.Name)
    )
