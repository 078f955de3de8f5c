"""## What it does
Finds a list comprehension that loads whole objects to keep one column of each:
`[u.id for u in session.scalars(select(User).where(...)).all()]` and the 1.x
`[u.id for u in session.query(User).filter(...)]`, where `id` is a column of the model;
and Django's `[b.title for b in Book.objects.filter(...)]`. A query that changes per item
of a loop around it is not reported here: it is `query-in-loop`'s, whose batch replaces it.

## Why is this bad?
Every column of every row crosses the wire, and every row becomes an object the session
tracks, for one value each. Selecting the column sends only that value: one query
either way, with less to read, send and build.

## Example
```python
user_ids = [u.id for u in session.scalars(select(User).where(User.active)).all()]
legacy = [u.id for u in session.query(User).filter(User.active)]
titles = [b.title for b in Book.objects.filter(pages__gt=100)]
```

## Use instead
```python
user_ids = session.scalars(select(User.id).where(User.active)).all()
legacy = [user_id for (user_id,) in session.query(User.id).filter(User.active)]
titles = list(Book.objects.filter(pages__gt=100).values_list("title", flat=True))
```
2.0 code gets the column's values straight from `session.scalars(...).all()` (a list, as
the comprehension gave); 1.x `Query` code keeps a comprehension over the one-column rows.

## Fix safety
The rows are not used otherwise: the comprehension reads only the one column of its
own variable and keeps every row (no `if`). Safe for the primary key. Unsafe for another
column: an object already in the session keeps its in-memory value when a query loads
its row again (a change not flushed under `autoflush=False`, or a row another
transaction changed since), while the column query reads the database. Unsafe too for
a 1.x `Query` with a join (`Query.all()` keeps one object per primary key, a column
query keeps every joined row) and for a model that inherits from another mapped model.
No fix when the query has loader options (they would name an entity no longer loaded),
DISTINCT (distinct rows are not distinct values), GROUP BY or `.unique()`.
Django has no identity map, so `values_list(..., flat=True)` gives each row's own value:
safe for any concrete field, but no fix after `distinct()`, `only()`, `defer()` or
`prefetch_related()`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.cst.astwalk import nodes_of
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity


def one_column(node: ast.AST) -> bool:
    """`[x.attr for x in <query>]` with no `if`."""
    if not isinstance(node, ast.ListComp) or len(node.generators) != 1:
        return False
    generator = node.generators[0]
    return (
        not generator.ifs
        and not generator.is_async
        and isinstance(generator.target, ast.Name)
        and isinstance(node.elt, ast.Attribute)
        and isinstance(node.elt.value, ast.Name)
        and node.elt.value.id == generator.target.id
        and _may_fetch_rows(generator.iter)
    )


# The session calls whose rows `fetched_rows.all_rows` reads (`session.query(M)`,
# `session.scalars(select(M))`, `session.execute(...)`).
_RUNNERS = {"query", "scalars", "execute"}


def _may_fetch_rows(iterable: ast.AST) -> bool:
    """A method chain (awaited or not) the check may read as a query's rows: one whose
    first call is a session's `query` / `scalars` / `execute`, or one on a manager
    `Name.objects` (`fetched_rows.django_rows`); not a call of anything else
    (`form.fields.values()`, `instance.items.all()`)."""
    first = None
    while True:
        if isinstance(iterable, ast.Await):
            iterable = iterable.value
        elif isinstance(iterable, ast.Call) and isinstance(
            iterable.func, ast.Attribute
        ):
            first, iterable = iterable.func.attr, iterable.func.value
        else:
            break
    if first is None:
        return False
    return first in _RUNNERS or (
        isinstance(iterable, ast.Attribute)
        and iterable.attr == "objects"
        and isinstance(iterable.value, ast.Name)
    )


def gate(tree: ast.Module, text: str) -> bool:
    if "select(" not in text and "query" not in text and ".objects" not in text:
        return False
    return any(one_column(node) for node in nodes_of(tree, ast.ListComp))


class WholeRowsForOneColumn(Rule):
    __doc__ = __doc__
    NAME = "whole-rows-for-one-column"
    MESSAGE = "Whole rows loaded to read one column"
    SEVERITY = Severity.LOW
    FIX = FixAvailability.SOMETIMES
    # About what each row carries, not round trips: one query before and after.
    ROUND_TRIPS = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        return gate(tree, text)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.whole_rows_for_one_column.analysis import find

        return find(ctx, self)
