"""## What it does
Finds a comprehension that keeps only some of a query's rows by a simple test on their
own columns: `[u for u in users if u.status_id == 3 and u.deleted_at is None]` where
`users` is the result of a query that loads every row. The tests it reads are `==`, `!=`,
`in`/`not in` a literal tuple, list or set, `is None`, `is not None`, `<`, `<=`, `>`, `>=`
against a literal, truthiness of a Boolean column (`if u.is_admin`, `if not u.is_admin`)
and `and` of these, one `if` or several.

## Why is this bad?
Every row crosses the wire, is turned into an object and tracked by the session, only to be
thrown away in Python. A WHERE clause lets the database (and its indexes) drop them: one
round trip either way, but only the matching rows are loaded.

## Example
```python
users = session.scalars(select(User).order_by(User.id)).all()
admins = [u for u in users if u.is_admin and u.deleted_at is None]
```

## Use instead
```python
admins = session.scalars(
    select(User).where(User.is_admin.is_(True), User.deleted_at.is_(None)).order_by(User.id)
).all()
```
The conditions go into the query the rows come from: into its last `.where(...)` /
`.filter(...)` when it has one, else a new `.where(...)` (2.0 `select()`) or `.filter(...)`
(1.x `Query`) right after `select(...)`/`session.query(...)` (after its joins and options).
A statement held in a variable (`stmt = select(...)`) is edited where it is built; async
code (`(await session.scalars(stmt)).all()`) likewise. When the comprehension only kept
the rows (`[u for u in users if ...]`) and the query is the statement just before it, the
two become one statement; otherwise the comprehension stays, without its tests, over the
filtered rows (`[u.email for u in users]`).

How each test reads in SQL: `u.flag` on a Boolean column -> `User.flag.is_(True)` (explicit
about what it compares, the idiom this project's code already uses, and no E712 lint as
`== True` gets); `not u.flag` -> `User.flag.is_(False)`; `is None` -> `.is_(None)`;
`is not None` -> `.is_not(None)` (`.isnot(None)` in 1.x `Query` code, which may still run on
SQLAlchemy 1.3); the truth of a date, time or datetime column (`if u.deleted_at`: no such
value is false in Python) -> `.is_not(None)`; `in` -> `.in_([...])`, `not in` -> `.not_in([...])` (`.notin_` in 1.x).

## Fix safety
NULL is where Python and SQL part ways, and the model index says which columns are
nullable. Python's `u.col != 3` keeps a row whose `col` is None, SQL's `col != 3` drops it:
on a nullable column the fix writes `or_(User.col != 3, User.col.is_(None))` (likewise for
`not in`, and `not u.flag` on a nullable Boolean column), with `or_` imported from
`sqlalchemy`. `==`, `in` and `is_(True)` drop NULL rows on both sides. A literal tuple
holding None (`u.col in (1, None)`) has no fix: `IN (1, NULL)` never matches NULL.

The fix is safe for `is None`/`is not None` on any column, and for comparisons of integer
and Boolean columns with integer, Boolean and None literals (`True`/`False` on a Boolean
column). It is unsafe:
- for strings: equality in SQL follows the column's collation (case-insensitive by default
  on MySQL, trailing spaces ignored in some), and n1fix does not know the database;
- for floats, decimals, dates and times, and columns whose type n1fix does not know: the
  database may convert the literal differently than Python compares it;
- when the value is not a literal (a parameter or a constant): n1fix cannot tell its type
  (SQLite matches `'1'` to an integer 1, Python does not) or whether it is None at run
  time (`col = NULL` matches nothing where Python's `== None` matches NULL rows);
- for `<`, `<=`, `>`, `>=` on a nullable column: Python raises TypeError on the first NULL,
  the query skips it; the fix turns a crash into a result.

No fix (the finding says why) when the rows are used elsewhere too (the query must still
load them all), when the statement variable is used by another query too, or for the
truthiness of a column that is not Boolean (`if u.name` is false for `""`, `if u.count`
for 0: SQL has no such test). Not reported: a predicate that reads anything but the row's
own mapped columns and literals or names (a method call, a relationship, a hybrid property,
another row), an `or`, rows that are a relationship collection (`project.renders`, loaded
on purpose with `selectinload` and filtered in Python), and a query with LIMIT, OFFSET,
DISTINCT, GROUP BY or parts n1fix cannot read (moving the filter into the WHERE would
change which rows the LIMIT keeps).

## Known problems
Only comprehensions are read; the same filter written as a `for` loop that appends to a
list is not reported yet. Values must be literals or names (`in` a literal tuple, list or
set only): `x.state in State.finished`, `x.id not in ids` or `x.owner == obj["id"]` are not
reported, though some are filters n1fix could offer as unsafe. Order and duplicates stay as the query gives them (the WHERE
keeps the ORDER BY; an unordered query stays unordered). With `autoflush=False`, changes
made to loaded objects and not flushed are seen by the Python test but not by the WHERE.
"""

from __future__ import annotations

import ast
from typing import Iterable

from n1fix.analysis.ast_rows import QueryRows, loop_rows
from n1fix.cst.astwalk import nodes_of
from n1fix.cst.text_scan import has_word
from n1fix.rules.base import FixAvailability, Finding, Rule, Severity
from n1fix.rules.filter_in_python.gate import row_filter_tests


def _filters_query_rows(tree: ast.Module) -> bool:
    """Is there a comprehension with one `for` clause over one name, whose every `if`
    test may be a WHERE condition on the row's columns (`gate.row_filter_tests`), and
    whose rows may be a SQLAlchemy query's, or a name assigned one? (`analysis._check`
    reads nothing else: rows from `row_source` without following helpers, not
    Django's.)"""
    rows = None
    for node in nodes_of(tree, *_COMPREHENSIONS):
        if not row_filter_tests(node):
            continue
        loop = loop_rows(node)
        if loop is None:
            continue
        if rows is None:
            rows = QueryRows(tree, django=False, helpers=False)
        if rows.may_hold(loop[1]):
            return True
    return False


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class FilterInPython(Rule):
    __doc__ = __doc__
    NAME = "filter-in-python"
    MESSAGE = "Query rows filtered in Python instead of in the WHERE clause"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    # About rows loaded, not round trips: one query before and after.
    ROUND_TRIPS = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        # A comprehension with an `if` over rows the check may see as a query's.
        if not has_word(text, "if"):
            return False
        from n1fix.rules.query_in_loop.rule import QUERY_TEXT

        if QUERY_TEXT.search(text) is None:
            return False
        return _filters_query_rows(tree)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.filter_in_python.analysis import find

        return find(ctx, self)
