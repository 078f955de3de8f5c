"""## What it does
Finds a loop over rows of a query that reads a relationship of each row which the model
loads lazily (`lazy="select"`, SQLAlchemy's default) and the query did not load up front:
`for project in projects: project.renders`.

## Why is this bad?
Each read of a lazy relationship is a SELECT: 1 + N round trips with no query in sight.
Under `AsyncSession` the same code does not even run: the lazy load raises
`MissingGreenlet`.

## Example
```python
projects = session.scalars(select(Project).where(Project.user_id == user_id)).all()
for project in projects:
    print(project.name, len(project.renders))
```

## Use instead
```python
projects = session.scalars(
    select(Project).options(selectinload(Project.renders)).where(Project.user_id == user_id)
).all()
for project in projects:
    print(project.name, len(project.renders))
```
`selectinload` for collections (one more query for all rows), `joinedload` for
many-to-one references (a join in the same query).

## Fix safety
No fix is offered yet: the rule reports the relationship, the loop and the loader option
to add. Relationships loaded eagerly by the mapper (`lazy="selectin"`, `"joined"`, ...)
or by an option on the query (`selectinload`, `joinedload`, `subqueryload`,
`contains_eager`, `raiseload`) are not reported.

## Known problems
Only `for` loops whose rows come from a query in the same function are checked; rows
passed in or returned by a helper are not traced (they may have been loaded eagerly
there), and comprehensions are not checked yet. A many-to-one reference is not reported
when the query filtered on its foreign key (every row points at the same parent, which
the identity map loads once).
"""

from __future__ import annotations

import ast
import re
from typing import Iterable

from n1fix.rules._base import FixAvailability, Finding, Rule, Severity

_FOR_KEYWORD = re.compile(r"\bfor\b")


class LazyLoadInLoop(Rule):
    __doc__ = __doc__
    NAME = "lazy-load-in-loop"
    MESSAGE = "Lazy relationship loaded once per item of a loop"
    SEVERITY = Severity.HIGH
    FIX = FixAvailability.NONE
    # The rows' query, then a lazy load per row; with selectinload: one more query.
    ROUND_TRIPS = ("1 + N", "2")

    def gate(self, tree: ast.Module, text: str) -> bool:
        # Rows come from a query in the same function: a query call and a loop.
        if not _FOR_KEYWORD.search(text):
            return False
        from n1fix.rules.query_in_loop import QUERY_TEXT

        return QUERY_TEXT.search(text) is not None

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules._lazy_load_analysis import find

        return find(ctx)
