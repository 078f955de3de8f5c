"""## What it does
Finds the number of a query's rows taken by loading them all and counting them in Python:
`len(session.scalars(stmt).all())`, `len(session.execute(stmt).all())`, the 1.x
`len(session.query(User).filter(...).all())` (and Flask-SQLAlchemy's `User.query`; also a
Query bound once in the function to a name, `len(query.all())`), and
Django's `len(Book.objects.filter(...))`, where the rows are used for nothing else.

## Why is this bad?
Every row crosses the wire and becomes an object (tracked by the session, for SQLAlchemy)
only to be counted and thrown away. A `COUNT(*)` sends one number: one round trip either
way, but no rows loaded.

## Example
```python
active = len(session.scalars(select(User).where(User.active)).all())
legacy = len(session.query(User).filter(User.active).all())
books = len(Book.objects.filter(author=author))
```

## Use instead
```python
active = session.scalar(
    select(func.count()).select_from(select(User).where(User.active).subquery())
)
legacy = session.query(User).filter(User.active).count()
books = Book.objects.filter(author=author).count()
```
The 2.0 statement is counted as a subquery, so its joins, DISTINCT, GROUP BY, LIMIT and
single-table inheritance criteria count exactly the rows it returned; the 1.x `Query`'s
and Django's own `.count()` do the same.

## Fix safety
The rows are not used afterwards: the `len(...)` is written around the query itself, so
nothing else can read them. The fix is safe when the statement is written in the call
and nothing in it makes the loaded list shorter than the SQL's rows:
- 1.x `Query.all()` de-duplicates the entities of a single-entity query by primary key,
  which `count()` does not: a query with a join (`join`, `outerjoin`, `select_from`) gets
  an unsafe fix;
- a 1.x Query in a name whose entity is not a model of the index gets an unsafe fix;
- 2.0 statements held in a variable (`len(session.scalars(stmt).all())`) get an unsafe
  fix: n1fix does not show the name holds a `select()` (a `text()` has no `.subquery()`);
- loader options (`.options(...)`) make the fix unsafe: a joined eager load with
  `.unique()` is not read here, and others are dropped by the subquery;
- Django's `count()` of a `distinct()` queryset ignores its ordering where `len()` counts
  the distinct rows of the ordered columns too: unsafe.
`.unique().all()` is not reported (it counts distinct objects, not rows).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.analysis.ast_fetched_rows import may_be_django_rows, may_be_read_whole
from n1fix.cst.astwalk import nodes_of
from n1fix.cst.text_scan import calls_word
from n1fix.rules.base import Finding, FixAvailability, Rule, Severity


def counted(node: ast.AST) -> bool:
    """`len(<x>)` where `x` may be a query read whole as the check reads one
    (`analysis.query_rows`, `bound_query_rows`): `<rows>.all()` of a SQLAlchemy query or
    a name, or a queryset on `Model.objects`; not `len(item.variations.all())`."""
    if not (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "len"
        and len(node.args) == 1
    ):
        return False
    arg = node.args[0]
    if (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr == "all"
        and not arg.args
        and may_be_read_whole(arg.func.value)
    ):
        return True
    return may_be_django_rows(arg)


def gate(tree: ast.Module, text: str) -> bool:
    if not calls_word(text, "len"):
        return False
    return any(counted(node) for node in nodes_of(tree, ast.Call))


class CountViaLen(Rule):
    __doc__ = __doc__
    NAME = "count-via-len"
    MESSAGE = "Query rows loaded only to be counted with len()"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    # About rows loaded, not round trips: one query before and after.
    ROUND_TRIPS = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        return gate(tree, text)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.count_via_len.analysis import find

        return find(ctx, self)
