"""## What it does
Finds the first row of a query read by loading every row and indexing the list:
`session.scalars(stmt).all()[0]`, `session.execute(stmt).all()[0]` and the 1.x
`session.query(User).filter(...).all()[0]` (and Flask-SQLAlchemy's `User.query`; also a
Query bound once in the function to a name, `query.all()[0]`).

## Why is this bad?
Every row the query matches crosses the wire and is built into an object, to keep one.
A `LIMIT 1` lets the database stop at the first row (and, with an index on the ORDER BY,
read only that one).

## Example
```python
latest = session.scalars(select(Render).order_by(Render.created_at.desc())).all()[0]
```

## Use instead
```python
latest = session.scalars(
    select(Render).order_by(Render.created_at.desc()).limit(1)
).all()[0]
```
The fix adds `.limit(1)` to the statement and keeps `.all()[0]`, so a query that finds
no row still raises `IndexError` as before. (`.first()` would return None instead: where
the code handles an empty result, `.first()` or `.scalars(...).first()` reads better;
n1fix does not make that change because it changes what an empty result does.)

## Fix safety
Safe when the query has an ORDER BY: the first row is then the same with or without the
LIMIT (a 1.x `Query` with a joined eager load wraps the limited query in a subquery, so
the first object still gets its whole collection). Unsafe without an ORDER BY: the
database returns the rows in no promised order, and a LIMIT may change the plan and so
which row comes first. Unsafe too when the 2.0 statement is held in a variable: n1fix does
not show it is a `select()` (a `text()` has no `.limit()`). `.unique().all()[0]` and a query
that already has a LIMIT are not reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from n1fix.analysis.ast_fetched_rows import may_be_read_whole
from n1fix.cst.astwalk import nodes_of
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity

ALL_INDEXED = re.compile(r"\.all\(\)\s*\[\s*0\s*\]")


def indexed(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Subscript)
        and isinstance(node.slice, ast.Constant)
        and node.slice.value == 0
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "all"
    )


def gate(tree: ast.Module, text: str) -> bool:
    if not ALL_INDEXED.search(text):
        return False
    return any(
        indexed(node) and may_be_read_whole(node.value.func.value)
        for node in nodes_of(tree, ast.Subscript)
    )


class FirstRowViaAll(Rule):
    __doc__ = __doc__
    NAME = "first-row-via-all"
    MESSAGE = "Every row of a query loaded to read the first"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    # About rows loaded, not round trips: one query before and after.
    ROUND_TRIPS = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        return gate(tree, text)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.first_row_via_all.analysis import find

        return find(ctx, self)
