"""The Alembic migration that creates an advised index: which versions folder it goes
in, which revision it follows, and its text.

The folders are those Alembic itself would use (`alembic.ini`'s `script_location` or
`version_locations`, or the `versions/` beside an Alembic `env.py`); the revision it
follows is the folder's one head in the revision graph the migrations declare. The new
revision's id is a hash of the index's name and the revision it follows, so one run's
inputs always give the same file, and a second migration of the same run, chained after
the first (`Migration.after`), gets an id of its own.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from n1fix.rules.project import SharedFacts


@dataclass(frozen=True)
class Migration:
    """A new Alembic migration that creates the index without locking writes."""

    folder: str  # the versions folder, relative to the project's root
    revision: str
    down_revision: str
    index: str
    table: str
    columns: tuple[str, ...]
    where: str | None  # a partial index's condition, as SQL
    style: dict = field(default_factory=dict, compare=False)  # `migration_style`
    schema: str | None = None  # the table's schema, as the migrations name it

    @property
    def filename(self) -> str:
        return f"{self.revision}_add_{self.index}.py"

    @property
    def text(self) -> str:
        return migration_text(self)

    def after(self, parent: str) -> "Migration":
        """The same migration, following `parent` instead."""
        return replace(
            self, revision=revision_id(self.index, parent), down_revision=parent
        )


def revision_id(index: str, parent: str) -> str:
    return hashlib.sha256(f"{index}\0{parent}".encode()).hexdigest()[:12]


@dataclass
class Heads:
    """One versions folder: its heads (revisions no other one revises), the tables its
    migrations name, and how its head migration is written."""

    tips: list[str]
    tables: set[str]
    style: dict
    schemas: dict[str, set[str]] = field(default_factory=dict)  # table -> schemas


def migration_heads(files: list["SharedFacts"]) -> dict[str, Heads]:
    """Per Alembic versions folder (relative to the root): its heads and tables."""
    folders = {folder for f in files for folder in f.facts.get("alembic_versions", ())}
    by_folder: dict[str, list[dict]] = defaultdict(list)
    for facts in files:
        migration = facts.facts.get("migration")
        if not migration:
            continue
        home = facts.display.rsplit("/", 1)[0] if "/" in facts.display else "."
        # a migration in a subfolder of versions/ (`recursive_version_locations`)
        folder = next(
            (f for f in sorted(folders) if home == f or home.startswith(f + "/")), None
        )
        if folder is not None:
            by_folder[folder].append(
                {
                    **migration,
                    "tables": facts.facts.get("tables", []),
                    "style": facts.facts.get("migration_style", {}),
                    "schemas": facts.facts.get("table_schemas", []),
                }
            )
    heads = {}
    for folder, revisions in by_folder.items():
        revised = {parent for r in revisions for parent in r["down"]}
        tips = sorted({r["revision"] for r in revisions} - revised)
        tables = {t for r in revisions for t in r["tables"]}
        style = next(
            (r["style"] for r in revisions if tips and r["revision"] == tips[0]), {}
        )
        schemas: dict[str, set[str]] = defaultdict(set)
        for r in revisions:
            for table, schema in r["schemas"]:
                schemas[table].add(schema)
        heads[folder] = Heads(tips, tables, style, dict(schemas))
    return heads


def plan_migration(
    index: str,
    table: str,
    columns: tuple[str, ...],
    where: str | None,
    heads: dict[str, Heads],
    schema: str | None = None,
    schema_known: bool = True,
) -> tuple[Migration | None, str | None]:
    """The migration for one index, or why there is none (None, None: no Alembic).
    `schema`: the one the model names (`schema_known`: whether it could be read)."""
    if not heads:
        return None, None
    folders = [f for f, h in heads.items() if table in h.tables]
    if not folders and len(heads) == 1:
        folders = list(heads)
    if len(folders) != 1:
        return None, "no one migrations folder creates the table"
    folder = folders[0]
    tips = heads[folder].tips
    if len(tips) != 1:
        return None, f"the migrations in {folder} have {len(tips)} heads"
    schemas = heads[folder].schemas.get(table, set())
    if len(schemas) > 1:
        return None, f"the migrations name {table} in {len(schemas)} schemas"
    named = next(iter(schemas), None)
    if schema is None and named is None and not schema_known:
        return None, f"the schema of {table} is not known"
    if schema is not None and named not in (None, schema):
        return None, f"the model and the migrations name other schemas for {table}"
    schema = schema or named
    parent = tips[0]
    migration = Migration(
        folder,
        revision_id(index, parent),
        parent,
        index,
        table,
        columns,
        where,
        heads[folder].style,
        schema,
    )
    return migration, None


def migration_text(m: Migration) -> str:
    style = m.style or {}
    q = style.get("quote", '"')

    def s(value: str) -> str:
        return f"{q}{value}{q}"

    columns = ", ".join(s(c) for c in m.columns)
    where = ""
    if m.where:
        where = f"\n            postgresql_where=sa.text({s(m.where)}),"
    imports = "import sqlalchemy as sa\n" if m.where else ""
    header = [f"Revision ID: {m.revision}", f"Revises: {m.down_revision}"]
    if style.get("annotated"):
        imports = "from typing import Sequence, Union\n\n" + imports
        names = (
            f"revision: str = {s(m.revision)}\n"
            f"down_revision: Union[str, None] = {s(m.down_revision)}\n"
            "branch_labels: Union[str, Sequence[str], None] = None\n"
            "depends_on: Union[str, Sequence[str], None] = None\n"
        )
    else:
        names = (
            f"revision = {s(m.revision)}\n"
            f"down_revision = {s(m.down_revision)}\n"
            "branch_labels = None\n"
            "depends_on = None\n"
        )
    returns = " -> None" if style.get("returns") else ""
    schema = f"\n            schema={s(m.schema)}," if m.schema else ""
    header_lines = "\n".join(header)
    return f'''"""Add index {m.index}

{header_lines}
"""

{imports}from alembic import op

{names}

def upgrade(){returns}:
    # CONCURRENTLY cannot run inside a transaction, and does not block writes
    with op.get_context().autocommit_block():
        op.create_index(
            {s(m.index)},
            {s(m.table)},
            [{columns}],{schema}{where}
            postgresql_concurrently=True,
        )


def downgrade(){returns}:
    with op.get_context().autocommit_block():
        op.drop_index(
            {s(m.index)},
            table_name={s(m.table)},{schema}
            postgresql_concurrently=True,
        )
'''
