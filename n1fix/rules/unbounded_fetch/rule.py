"""## What it does
Finds a query that loads every row of a table, with no WHERE and no LIMIT, when the same
project reads that table page by page somewhere else: `session.scalars(select(Render))
.all()`, `session.query(Render).all()`, Flask-SQLAlchemy's `Render.query.all()`, and such
a query (or Django's `Render.objects.all()`) iterated by a loop or a comprehension or
passed to `list()`, while another query of the project reads `Render` a page at a time:
`.offset()`, `.paginate()`, Django's `Paginator`, DRF pagination (`pagination_class`,
`paginate_by`), a queryset sliced from a start, or a project function that pages the
query it is given (`sort_and_page(query, ...)`). A `.limit(n)` alone is the top n rows,
not a page, and is no evidence. The finding names the sites that page the table.

The paging is the evidence: a project pages a table because it grows. A small table of
fixed rows (statuses, roles, settings) is read whole everywhere and never paged, so it
is not reported. Not reported either: a function that only returns the rows (an
accessor, `return session.query(M).all()`: its callers decide what the rows are for, a
choice list or a cache), a loop over the rows that may stop early (`break`, `return`;
the rows it needs are a WHERE away), a query that streams its rows (`yield_per()`,
`iterator()`), `len(query.all())` (`count-via-len`), `query.all()[0]`
(`first-row-via-all`), and command-line tools, scripts and migrations (`cli/`,
`commands/`, `scripts/`, `bin/`, `migrations/`, `alembic/`, `cli.py`, `manage.py`),
which run by hand.

The rule is opt-in (`select = ["unbounded-fetch"]`, or `--select unbounded-fetch`): on
the projects of the ecosystem check, most tables paged by a generic list endpoint are
small ones (pools, groups, templates) read whole on purpose.

## Why is this bad?
The whole table crosses the wire and becomes objects at every call: the cost grows with
the table, unseen while it is small. The project itself says this table is too large to
show at once: it pages it elsewhere.

## Example
```python
def export_prompts(session):
    renders = session.scalars(select(Render).order_by(Render.id)).all()
    return [f"{render.id}: {render.prompt}" for render in renders]


def renders_page(session, page):
    return session.scalars(
        select(Render).order_by(Render.id).limit(50).offset(50 * page)
    ).all()
```

## Use instead
```python
def renders_page(session, page):
    return session.scalars(
        select(Render).order_by(Render.id).limit(50).offset(50 * page)
    ).all()
```
and have `export_prompts` read a page at a time, or narrow its query to the rows it
needs, or, for a job that must see every row, stream them
(`.execution_options(yield_per=1000)`, Django's `.iterator()`) so that they are not all
held at once.

## Fix safety
No fix: how many rows a screen shows, or which rows a job needs, is the product's
decision, and any bound n1fix chose would change what the code returns.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.rules.base import Facts, Finding, FixAvailability, Rule, Severity


class UnboundedFetch(Rule):
    __doc__ = __doc__
    NAME = "unbounded-fetch"
    MESSAGE = "Every row of a table the project pages elsewhere is loaded at once"
    SEVERITY = Severity.LOW
    FIX = FixAvailability.NONE
    SHARES_FACTS = True
    # Opt-in: on the ecosystem's projects most tables paged by a generic list endpoint
    # are small (pools, groups, templates) and read whole on purpose; selected by name.
    DEFAULT = False
    # About rows loaded, not round trips: one query either way.
    ROUND_TRIPS = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        # Whether a table is paged depends on every other file: `project_gate` decides.
        return False

    def survey(self, tree: ast.Module, text: str) -> Facts | None:
        if not _may_query(text):
            return None
        from n1fix.rules.unbounded_fetch.sites import fetch_sites, paging_sites

        facts = paging_sites(tree)
        fetched = sorted({fetch.head.ref for fetch in fetch_sites(tree)})
        if fetched:
            facts["fetches"] = fetched
        return facts or None

    def project_gate(self, facts: Facts | None, project) -> bool:
        """A file that fetches every row of a model some file pages (by class name:
        it may say yes too often, never too rarely)."""
        if not facts or not facts.get("fetches"):
            return False
        from n1fix.rules.unbounded_fetch.evidence import paged_names

        names = paged_names(project)
        return any(ref.rsplit(".", 1)[-1] in names for ref in facts["fetches"])

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.unbounded_fetch.analysis import find

        return find(ctx, self)


def _may_query(text: str) -> bool:
    return any(
        word in text
        for word in (".all(", "select(", "query", ".objects", "aginat", ".limit(")
    )
