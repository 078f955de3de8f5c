"""The audit's "Database Indexing Review": the indexes the code declares, table by table,
and the ones `missing-index` recommends, each with its `CREATE INDEX` statement, the
queries that would use it and, where the project uses Alembic, the migration to add.

Everything is read from the code (models, migrations, DDL files); an index created in the
database by hand is not known, which the section says.
"""

from __future__ import annotations

from typing import TextIO

from n1fix.report.wording import plural
from n1fix.rules.missing_index.advice import RULE, Advice
from n1fix.rules.missing_index.findings import project_review

MAX_SITES = 5


def write(out: TextIO, project) -> None:
    if project is None or RULE not in project.shared_facts:
        return  # the rule was not selected: the queries' columns were not gathered
    review = project_review(project)
    out.write("## Database Indexing Review\n\n")
    out.write(
        "Read from the code: primary keys, `unique=True`, `index=True`, `Index(...)` and "
        "unique constraints in the models, Alembic migrations and `.sql` files; an index "
        "created in the database by hand is not seen, so check `\\d <table>` in psql "
        "before adding one.\n\n"
    )
    out.write("### Already indexed\n\n")
    listed = False
    for table in sorted(review.indexed):
        for columns, why in review.indexed[table]:
            out.write(f"- `{table}({', '.join(columns)})` ({why})\n")
            listed = True
    if not listed:
        out.write("No index is declared in the code.\n")
    out.write("\n### Recommended additional indexes\n\n")
    if not review.advice:
        out.write(
            "None: every foreign key that a query looks rows up by leads an index.\n\n"
        )
        return
    hot = [a for a in review.advice if a.loop_sites]
    other = [a for a in review.advice if not a.loop_sites]
    for title, group in (
        ("High priority (queried in a loop)", hot),
        ("Medium priority", other),
    ):
        if group:
            out.write(f"**{title}:**\n\n")
            for advice in group:
                _advice(out, advice)


def _advice(out: TextIO, advice: Advice) -> None:
    column = f"{advice.table}.{advice.columns[0]}"
    sites = advice.sites
    where = ", ".join(f"`{s.path}:{s.line}`" for s in sites[:MAX_SITES])
    more = f" and {len(sites) - MAX_SITES} more" if len(sites) > MAX_SITES else ""
    loops = f", {advice.loop_sites} in a loop" if advice.loop_sites else ""
    verb = "looks" if len(sites) == 1 else "look"
    out.write(
        f"- Foreign key `{column}`: {plural(len(sites), 'query', 'queries')} {verb} rows "
        f"up by it{loops} ({where}{more}).\n\n"
    )
    out.write(f"```sql\n{advice.statement}\n```\n\n")
    if advice.single:
        out.write(
            f"  In the model: `index=True` on `{advice.model.name}.{advice.attr}`.\n\n"
        )
    else:
        columns = ", ".join(f'"{c}"' for c in advice.columns)
        out.write(
            f'  In the model: `Index("{advice.name}", {columns})` in '
            f"`{advice.model.name}.__table_args__` (see the statement for its order and "
            "condition).\n\n"
        )
    if advice.migration is not None:
        m = advice.migration
        out.write(f"  Migration `{m.folder}/{m.filename}`:\n\n")
        out.write(f"```python\n{m.text}```\n\n")
    elif advice.no_migration:
        out.write(f"  No migration written: {advice.no_migration}.\n\n")
