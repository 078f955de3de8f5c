"""## What it does
Finds a foreign key column that the project's queries look rows up by while no index
leads with it: `Render.project_id == project.id`, `filter_by(project_id=...)`,
`Render.project_id.in_(ids)`, Django's `filter(project=p)`, a collection loaded or joined
from its parent (`selectinload(Project.renders)`, `Project.renders.any(...)`), or raw SQL
(`WHERE project_id = :id`). A join written as `Render.project_id == Project.id` is not
counted: which side drives it is not known, and from the child's side the parent's
primary key serves it. What is
indexed is read from the code: primary keys, `unique=True`, `index=True`, `Index(...)`
and `UniqueConstraint(...)` in `__table_args__` or beside the model, Core `Table(...)`
definitions, Alembic migrations (`op.create_index`, `op.create_unique_constraint`,
`op.create_table`, `batch_alter_table`) and `CREATE INDEX` written in SQL strings.
Django's foreign keys are not reported: Django creates their index itself.

The finding sits on the column's definition and counts the queries that would use the
index (and how many run once per item of a loop), with the `CREATE INDEX` statement in
the project's dialect. When every query that filters on the key also filters on the same
other columns, or orders by the same columns, the index is composite (equality columns,
then a range, then the order; the sides of an OR are alternatives, each its own
index); when they all carry the same `IS NULL` or flag condition, and no relationship
loads rows by the key without it, it is partial.

## Why is this bad?
PostgreSQL (and SQLite) create no index for a foreign key: only the referenced side's
primary key is indexed. Every query that looks up the children of a row then reads the
whole child table (`Seq Scan`), and deleting a parent row scans it again to check the
constraint. On a small table nobody notices; at tens of thousands of rows each lookup
costs milliseconds, and in a loop or a hot path it adds up.

## Example
```python
class Render(Base):
    __tablename__ = "renders"
    id = Column(Integer, primary_key=True)
    project_id = Column(ForeignKey("projects.id"))

renders = session.query(Render).filter(Render.project_id == project.id).all()
```

## Use instead
```python
class Render(Base):
    __tablename__ = "renders"
    id = Column(Integer, primary_key=True)
    project_id = Column(ForeignKey("projects.id"), index=True)
```
and, with Alembic, a migration that creates it without blocking writes:
```python
def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_renders_project_id",
            "renders",
            ["project_id"],
            postgresql_concurrently=True,
        )
```
With Alembic (a versions folder named by `alembic.ini` or beside `env.py`) and one
head, `apply` writes that migration beside the model change, revising the head; the
audit shows it in full.

## Fix safety
Always unsafe: the fix changes the model (`index=True` on the column), and a schema
change also needs the index created in every database (a migration, run and reviewed;
on a large table `CREATE INDEX CONCURRENTLY`, which the migration uses). The fix and its
migration are written together or not at all. No fix for a
composite or partial index (write the `Index(...)` in `__table_args__` from the
statement), nor when the column is defined in another class than the model's own.

## Known problems
Only the columns a query names are seen: a lazy load of a collection (`project.renders`)
filters on the foreign key too, but counts only where a query or an eager load names the
relationship. Indexes created outside the code (by hand, by a DBA) are not known: check
the database (`\\d renders` in psql) before taking the advice. An index dropped by a later
migration is still counted as present.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from n1fix.rules.base import Facts, Finding, FixAvailability, Rule, Severity


class MissingIndex(Rule):
    __doc__ = __doc__
    NAME = "missing-index"
    MESSAGE = "a foreign key that queries filter on has no index"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    SHARES_FACTS = True
    # Advice about the schema rather than a mistake in a line of code: `n1fix audit`
    # reviews the indexes whatever is selected; a scan reports them when asked.
    DEFAULT = False

    def gate(self, tree: ast.Module, text: str) -> bool:
        # Whether a model's foreign key lacks an index depends on every other file:
        # `project_gate` decides, once the project's review is known.
        return False

    def survey(self, tree: ast.Module, text: str) -> Facts | None:
        from n1fix.rules.missing_index.uses import query_uses
        from n1fix.sql.schema import declared_indexes

        facts = declared_indexes(tree, text)
        uses = query_uses(tree)
        if uses:
            facts["uses"] = uses
        if "ForeignKey" in text:
            facts["models"] = [
                node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
            ]
        kept = {key: value for key, value in facts.items() if value}
        return kept or None

    def project_gate(self, facts: Facts | None, project) -> bool:
        """A file that defines a model the project's review advises an index for."""
        if not facts or not facts.get("models"):
            return False
        from n1fix.rules.missing_index.findings import project_review

        names = set(facts["models"])
        return any(a.model.name in names for a in project_review(project).advice)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.missing_index.findings import find

        return find(ctx, self)
