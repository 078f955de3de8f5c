"""Names of query calls that a check (on LibCST nodes) and its gate (on `ast` nodes, run
on every file before LibCST is loaded) must read alike. Kept here, importing nothing, so
that a gate and its check share one set instead of two copies held equal by a test."""

from __future__ import annotations

# What runs a 2.0 statement: `session.scalars(stmt)`, `session.execute(stmt)`.
RUNNERS = ("scalars", "execute")
# Calls of a select()/Query chain that join other tables: a 1.x Query de-duplicates the
# entities of such rows, so its `.all()` may hold fewer objects than the SQL has rows.
JOINS = frozenset({"join", "outerjoin", "join_from", "outerjoin_from", "select_from"})
# Calls of a select()/Query chain that keep it one query of the same rows.
STATEMENT_CALLS = frozenset(
    {
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
)
# Calls of a Django queryset read whole (`fetched_rows.django_rows`).
DJANGO_CALLS = frozenset(
    {
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
)
# QuerySet methods that narrow, order or load without changing what a row is.
DJANGO_ROW_CHAIN = frozenset(
    {
        "all",
        "filter",
        "exclude",
        "order_by",
        "select_related",
        "prefetch_related",
        "only",
        "defer",
        "using",
        "annotate",
        "alias",
        "select_for_update",
        "distinct",
        "reverse",
        "iterator",
    }
)
