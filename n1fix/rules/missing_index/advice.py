"""The index review of a whole project: what is indexed, what queries use, what to add.

It joins the model index (primary keys, `unique=True`, `index=True`, unique constraints,
Django's implicit foreign key indexes) with what every file's survey found (`declared`:
`Index(...)`, Core tables, Alembic migrations, Django `Meta`; `uses`: the columns each
query filters, joins and orders on) and advises an index for each foreign key that
queries look rows up by while no index leads with it.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from n1fix.rules.missing_index.uses import alternative
from n1fix.rules.missing_index.migration import (
    Migration,
    migration_heads,
    plan_migration,
)

if TYPE_CHECKING:
    from n1fix.orm.models import ModelInfo
    from n1fix.rules.project import ProjectContext, SharedFacts

RULE = "missing-index"
# Kinds of use an index on the column serves as its leading column: a lookup by value,
# and a relationship's collection loaded or joined from its parent (`selectinload(
# Project.renders)`, `Project.renders.any(...)`). A join written as `Child.fk ==
# Parent.id` is not counted: which side drives it is not known, and from the child's
# side the parent's primary key serves it.
LOOKUPS = ("eq", "collection")
MAX_NAME = 63  # PostgreSQL's identifier limit


@dataclass(frozen=True)
class Site:
    """One query's use of the column."""

    path: str  # as the user sees it
    line: int
    kind: str
    loop: bool


@dataclass
class Advice:
    model: "ModelInfo"
    table: str
    attr: str  # the foreign key's attribute on the model
    columns: tuple[str, ...]  # the index's columns, in order
    descending: frozenset[str]  # those ordered descending
    where: str | None  # a partial index's condition, as SQL
    sites: list[Site]
    statement: str = ""
    migration: Migration | None = None
    no_migration: str | None = None  # why no migration is offered
    schema: str | None = None  # the table's, as its model names it

    # the name the project's naming convention gives the index (None: SQLAlchemy's)
    convention_name: str | None = None

    @property
    def name(self) -> str:
        if self.convention_name:
            return self.convention_name
        name = "ix_" + "_".join([self.table, *self.columns])
        if len(name) <= MAX_NAME:
            return name
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        return name[: MAX_NAME - 9] + "_" + digest

    @property
    def loop_sites(self) -> int:
        return sum(site.loop for site in self.sites)

    @property
    def single(self) -> bool:
        """A plain index on the foreign key alone: `index=True` says it in the model."""
        return len(self.columns) == 1 and self.where is None and not self.descending

    def rank(self) -> tuple:
        return (-self.loop_sites, -len(self.sites), self.table, self.columns)


@dataclass
class IndexReview:
    # table -> (columns, what declares it), for every model table
    indexed: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)
    advice: list[Advice] = field(default_factory=list)
    dialect: str = "postgres"


@dataclass
class _Uses:
    """The uses of one model's columns, by column name, and by query."""

    by_column: dict[str, list[tuple[dict, "SharedFacts"]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def review(project: "ProjectContext", schema: list[dict]) -> IndexReview:
    """`schema`: the facts of the migrations and DDL files
    (`n1fix.sql.schema_files.schema_indexes`)."""
    from n1fix.rules.project import SharedFacts

    shared = project.shared_facts.get(RULE, {})
    files = list(shared.values())
    schema_files = [SharedFacts("", f["path"], {}, f) for f in schema]
    result = IndexReview(dialect=_dialect(files))
    indexed = _indexed(project, files + schema_files)
    uses = _uses(project, files)
    composite = _composite_keys(project, files)
    heads = migration_heads(schema_files)
    naming = {c for f in files for c in f.facts.get("index_naming", ())}
    schemas = {
        f"{f.module_name}.{entry['class']}": entry["schema"]
        for f in files
        for entry in f.facts.get("schemas", ())
    }
    loaded = _relationship_keys(project)
    for qualname, model in sorted(project.models.models.items()):
        if model.table is None or model.django is not None:
            continue
        leading = {columns[0] for columns, _ in indexed.get(model.table, [])}
        result.indexed[model.table] = indexed.get(model.table, [])
        for attr, column in model.columns.items():
            if not column.foreign_key or column.name in leading:
                continue
            if column.name in composite.get(qualname, ()):
                continue
            found = uses.get(qualname, {}).get(column.name, [])
            lookups = [u for u in found if u[0]["kind"] in LOOKUPS]
            if not lookups:
                continue
            advice = _advise(
                model,
                attr,
                column.name,
                lookups,
                uses.get(qualname, {}),
                leading,
                (qualname, attr) in loaded,
            )
            if advice is None:
                continue
            if result.dialect == "mysql":
                advice.where = None  # MySQL has no partial indexes
            schema, known = _schema(qualname, schemas)
            advice.schema = schema
            advice.convention_name, named = convention_name(
                naming, advice.table, advice.columns
            )
            advice.statement = create_index(advice, result.dialect)
            advice.migration, advice.no_migration = plan_migration(
                advice.name,
                advice.table,
                advice.columns,
                advice.where,
                heads,
                schema,
                known,
            )
            if advice.migration is not None and not named:
                # the model's `index=True` would get another name than the migration's
                advice.migration = None
                advice.no_migration = (
                    "the project's index naming convention is not read"
                )
            result.advice.append(advice)
    for model in project.models.models.values():
        if model.table and model.django is not None:
            result.indexed[model.table] = indexed.get(model.table, [])
    result.advice.sort(key=Advice.rank)
    return result


def _dialect(files: list["SharedFacts"]) -> str:
    seen = {d for f in files for d in f.facts.get("dialects", ())}
    for dialect in ("postgres", "mysql", "sqlite"):
        if dialect in seen:
            return dialect
    return "postgres"


def _indexed(
    project: "ProjectContext", files: list["SharedFacts"]
) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Every index the project declares, by table: (its columns, what declares it)."""
    found: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    models = project.models
    for model in models.models.values():
        if model.table is None:
            continue
        table = found[model.table]
        primary = tuple(c.name for c in model.columns.values() if c.primary_key)
        if primary:
            table.append((primary, "PRIMARY KEY"))
        for column in model.columns.values():
            # a key column may carry its own index too (`primary_key=True, index=True`
            # in a composite key led by another column)
            if column.primary_key and not (column.unique or column.index):
                continue
            if column.unique:
                table.append(((column.name,), "UNIQUE"))
            elif column.index:
                why = "FOREIGN KEY (Django indexes it)" if model.django else "INDEX"
                table.append(((column.name,), why))
        for names in model.unique_sets:
            table.append((tuple(names), "UNIQUE"))
    for facts in files:
        where = facts.display
        for index in facts.facts.get("indexes", ()):
            if index.get("foreign_key"):
                continue  # a composite foreign key: `_composite_keys`
            model = None
            if "class" in index:
                model = models.get(f"{facts.module_name}.{index['class']}")
            elif "ref" in index:
                model = models.resolve(index["ref"], facts.imports, facts.module_name)
            if model is not None and model.table:
                columns = tuple(_column_name(model, c) for c in index["columns"])
                found[model.table].append((columns, f"{where}:{index['line']}"))
            elif "table" in index:
                found[index["table"]].append(
                    (tuple(index["columns"]), f"{where}:{index['line']}")
                )
    return {table: _unique(entries) for table, entries in found.items()}


def _composite_keys(
    project: "ProjectContext", files: list["SharedFacts"]
) -> dict[str, set[str]]:
    """model qualname -> the columns of its composite foreign keys after their first:
    an index for such a key leads with its first column, and one on a later column
    alone serves no lookup by the key."""
    found: dict[str, set[str]] = defaultdict(set)
    for facts in files:
        for index in facts.facts.get("indexes", ()):
            if index.get("foreign_key") and "class" in index:
                model = project.models.get(f"{facts.module_name}.{index['class']}")
                if model is not None:
                    names = [_column_name(model, c) for c in index["columns"]]
                    found[model.qualname].update(names[1:])
    return found


CONVENTION_TOKEN = re.compile(r"%\((\w+)\)s")


def convention_name(
    conventions: set[str | None], table: str, columns: tuple[str, ...]
) -> tuple[str | None, bool]:
    """The name SQLAlchemy gives an index under the project's `"ix"` naming convention
    (None without one), and whether it is known: not with several conventions, nor one
    not read (a template that is not a literal, or a token of the project's own)."""
    if not conventions:
        return None, True
    if len(conventions) > 1 or None in conventions:
        return None, False
    tokens = {
        "table_name": table,
        "column_0_name": columns[0],
        "column_0_label": f"{table}_{columns[0]}",
        "column_0_key": columns[0],
        "column_0N_name": "".join(columns),
        "column_0_N_name": "_".join(columns),
        "column_0N_label": "".join(f"{table}_{c}" for c in columns),
        "column_0_N_label": "_".join(f"{table}_{c}" for c in columns),
        "column_0N_key": "".join(columns),
        "column_0_N_key": "_".join(columns),
    }
    (template,) = conventions
    if any(t not in tokens for t in CONVENTION_TOKEN.findall(template)):
        return None, False
    name = CONVENTION_TOKEN.sub(lambda m: tokens[m.group(1)], template)
    # longer: SQLAlchemy shortens it with a hash of its own
    return (name, True) if len(name) <= MAX_NAME else (None, False)


def _schema(qualname: str, schemas: dict[str, str | None]) -> tuple[str | None, bool]:
    """The schema a model's own `__table_args__` names, and whether it is known: not
    when it is not a literal, nor when the model names none while others do (it may
    inherit one)."""
    if qualname in schemas:
        return schemas[qualname], schemas[qualname] is not None
    return None, not schemas


def _relationship_keys(project: "ProjectContext") -> set[tuple[str, str]]:
    """(model qualname, foreign key attribute) for each collection a relationship loads
    by that key (`Project.renders` -> (Render, project_id)); with a custom join whose
    key is not read, every key of the target to the relationship's model. (Not yet: the
    keys of a many-to-many relationship's secondary table.)"""
    models = project.models
    found = set()
    for model in models.models.values():
        for relationship in model.relationships.values():
            if relationship.secondary or relationship.direction == "many_to_one":
                continue
            target = models.get(relationship.target) if relationship.target else None
            if target is None:
                continue
            keys = relationship.foreign_key_attrs
            if not keys and relationship.direction is None:
                # a custom `primaryjoin`: any key of the target to this model's table
                keys = tuple(
                    attr
                    for attr, column in target.columns.items()
                    if column.foreign_key
                    and column.foreign_key.rsplit(".", 1)[0] == model.table
                )
            found.update((target.qualname, attr) for attr in keys)
    return found


def _unique(entries: list) -> list:
    seen, kept = set(), []
    for columns, why in entries:
        if columns not in seen:
            seen.add(columns)
            kept.append((columns, why))
    return kept


def _column_name(model: "ModelInfo", name: str) -> str:
    """The column an index names by attribute, column name or (Django) field name."""
    column = model.columns.get(name) or model.column_by_name(name)
    if column is not None:
        return column.name
    relationship = model.relationships.get(name)
    if relationship is not None and len(relationship.foreign_key_attrs) == 1:
        column = model.columns.get(relationship.foreign_key_attrs[0])
        if column is not None and relationship.direction == "many_to_one":
            return column.name
    return name


def _uses(
    project: "ProjectContext", files: list["SharedFacts"]
) -> dict[str, dict[str, list[tuple[dict, "SharedFacts"]]]]:
    """model qualname -> column name -> [(use, the file it is in)]."""
    models = project.models
    found: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    resolved: dict[tuple[str, str], "ModelInfo | None"] = {}
    for facts in files:
        for use in facts.facts.get("uses", ()):
            if "table" in use:
                model = models.by_table(use["table"])
            else:
                key = (facts.module_name, use["ref"])
                if key not in resolved:
                    resolved[key] = models.resolve(
                        use["ref"], facts.imports, facts.module_name
                    )
                model = resolved[key]
            if model is None or model.table is None:
                continue
            for target, name, kind in _columns_used(models, model, use):
                found[target.qualname][name].append(({**use, "kind": kind}, facts))
    return found


def _columns_used(models, model: "ModelInfo", use: dict):
    """(model, column name, kind) for one use: a column, or the foreign key a
    relationship joins or loads by."""
    attr, kind = use["attr"], use["kind"]
    column = model.columns.get(attr)
    if column is None and "table" in use:
        column = model.column_by_name(attr)
    if column is not None:
        yield model, column.name, kind
        return
    relationship = model.relationships.get(attr)
    if relationship is None or relationship.secondary:
        return
    if len(relationship.foreign_key_attrs) != 1:
        return  # which key it joins by is not known
    if relationship.direction == "many_to_one" and not use.get("rel"):
        # Django's `filter(project=p)`: the foreign key's own column
        for fk in relationship.foreign_key_attrs:
            if fk in model.columns:
                yield model, model.columns[fk].name, kind
    elif relationship.direction == "one_to_many" and use.get("rel"):
        target = models.get(relationship.target) if relationship.target else None
        if target is not None:
            for fk in relationship.foreign_key_attrs:
                if fk in target.columns:
                    yield target, target.columns[fk].name, "collection"


def _advise(
    model: "ModelInfo",
    attr: str,
    column: str,
    lookups: list[tuple[dict, "SharedFacts"]],
    model_uses: dict[str, list[tuple[dict, "SharedFacts"]]],
    leading: set[str],
    relationship_loaded: bool = False,
) -> Advice | None:
    """The index for `column`: alone, or with the other columns every query that
    filters on it shares (equality, then range, then ORDER BY), partial when they all
    carry the same NULL or flag condition. None when every query that looks rows up by
    it may also compare by equality a column that leads an index (that index serves
    it): another equality in the same function counts, as conditions are often
    gathered in a list before the query."""
    per_query: dict[tuple[str, int], list[tuple[str, dict]]] = defaultdict(list)
    per_function: dict[tuple[str, int], list[tuple[str, dict]]] = defaultdict(list)
    for name, entries in model_uses.items():
        for use, facts in entries:
            per_query[(facts.display, use["stmt"])].append((name, use))
            if use.get("function"):
                per_function[(facts.display, use["function"])].append((name, use))

    def served(use: dict, facts: "SharedFacts") -> bool:
        if use["kind"] == "collection":
            return False
        scope = (
            per_function[(facts.display, use["function"])]
            if use.get("function")
            else per_query[(facts.display, use["stmt"])]
        )
        return any(
            other["kind"] == "eq"
            and name != column
            and name in leading
            and not alternative(use, other)
            for name, other in scope
        )

    lookups = [(use, facts) for use, facts in lookups if not served(use, facts)]
    if not lookups:
        return None
    sites = sorted(
        {
            Site(facts.display, use["line"], use["kind"], use["loop"])
            for use, facts in lookups
        },
        key=lambda s: (s.path, s.line),
    )
    advice = Advice(model, model.table, attr, (column,), frozenset(), None, sites)
    if any(use["kind"] == "collection" for use, _ in lookups):
        return advice  # a relationship's load carries no other condition
    # the other columns each lookup's query asks for with it (not those on another
    # side of an OR: an index led by the key does not serve them, nor they it)
    shapes = {
        _shape(
            column,
            [
                (name, other)
                for name, other in per_query[(facts.display, use["stmt"])]
                if not alternative(use, other)
            ],
        )
        for use, facts in lookups
    }
    if len(shapes) != 1:
        return advice
    equal, ranged, ordered, where = next(iter(shapes))
    if len(ranged) > 1:
        ranged = ()  # an index serves one range (after its equalities), not two
    # a range on the ordered column serves both: it appears once
    columns = tuple(dict.fromkeys((column, *equal, *ranged, *(c for c, _ in ordered))))
    advice.columns = columns
    advice.descending = frozenset(c for c, desc in ordered if desc)
    # a relationship's loads look rows up by the key without the condition: a partial
    # index would serve none of them
    advice.where = None if relationship_loaded else where
    return advice


def _shape(column: str, uses: list[tuple[str, dict]]):
    equal = sorted({n for n, u in uses if u["kind"] == "eq" and n != column})
    ranged = sorted({n for n, u in uses if u["kind"] == "range" and n != column})
    ordered = tuple(
        dict.fromkeys((n, bool(u.get("desc"))) for n, u in uses if u["kind"] == "order")
    )
    conditions = sorted(
        {_condition(n, u) for n, u in uses if u["kind"] in ("null", "flag")}
    )
    where = " AND ".join(conditions) if conditions else None
    return tuple(equal), tuple(ranged), ordered, where


def _condition(name: str, use: dict) -> str:
    if use["kind"] == "null":
        return f"{name} IS NOT NULL" if use.get("value") else f"{name} IS NULL"
    return f"{name} = {'TRUE' if use.get('value') else 'FALSE'}"


def create_index(advice: Advice, dialect: str) -> str:
    """The CREATE INDEX statement, written by sqlglot in the project's dialect."""
    import sqlglot

    columns = ", ".join(
        f"{c} DESC" if c in advice.descending else c for c in advice.columns
    )
    table = f"{advice.schema}.{advice.table}" if advice.schema else advice.table
    sql = f"CREATE INDEX {advice.name} ON {table} ({columns})"
    if advice.where:
        sql += f" WHERE {advice.where}"
    # read in the dialect it is written for: read as PostgreSQL, another dialect's
    # output would spell out PostgreSQL's NULL ordering (`NULLS LAST`)
    return sqlglot.transpile(sql, read=dialect, write=dialect)[0] + ";"
