"""Classes mapped imperatively: a module-level `Table(...)` and
`registry.map_imperatively(Class, table, properties={...})` (or the classic
`mapper(Class, table, ...)`), as ckan maps every model.

ckan's `model.Group` is a plain class; `group_table = Table("group", metadata,
Column("id", ..., primary_key=True), Column("name", ..., unique=True), ...)` and
`meta.registry.map_imperatively(Group, group_table)` make it a model whose columns are the
table's. The facts of such a class are the table's: its name, its columns (with their
primary key, uniqueness and nullability), and the relationships `properties=` gives.

Read only when every part is shown in the module itself: the class and the table are
defined there, the call names nothing else than the class, the table and `properties=`,
and every property is a `relationship(...)` (a renamed column, `column_property` or
`synonym` would change what the attributes mean). Anything else leaves the class as it
was: not a model, which keeps every fix on it unsafe or absent.
"""

from __future__ import annotations

import ast
from dataclasses import replace

from n1fix.orm import model_facts as facts_of

_MAPPING_CALLS = {"map_imperatively", "mapper"}


def mapped_imperatively(body: list[ast.stmt], ctx, found: list) -> list:
    """`found` (a module's facts) with each class this module maps imperatively
    given its table's facts."""
    tables: dict[str, ast.Call] = {}
    mappings: dict[str, tuple[str, ast.AST | None]] = {}
    unreadable: set[str] = set()
    for stmt in facts_of.module_statements(body):
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
            and facts_of._last(stmt.value) == "Table"
        ):
            tables[stmt.targets[0].id] = stmt.value
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and facts_of._last(stmt.value) in _MAPPING_CALLS
        ):
            read = _mapping(stmt.value)
            if read is None:
                first = stmt.value.args[0] if stmt.value.args else None
                if isinstance(first, ast.Name):
                    unreadable.add(first.id)
                continue
            cls, table, properties = read
            if cls in mappings:
                unreadable.add(cls)
            mappings[cls] = (table, properties)
    if not mappings:
        return found
    result = []
    for fact in found:
        if (
            isinstance(fact, facts_of.ClassFacts)
            and fact.module == ctx.module
            and fact.name in mappings
            and fact.name not in unreadable
            and mappings[fact.name][0] in tables
        ):
            table, properties = mappings[fact.name]
            mapped = _mapped(fact, tables[table], properties, ctx)
            result.append(mapped if mapped is not None else fact)
        else:
            result.append(fact)
    return result


def _mapping(call: ast.Call) -> tuple[str, str, ast.AST | None] | None:
    """(class, table, `properties=` value) of `map_imperatively(Class, table, ...)`."""
    if len(call.args) != 2 or not all(isinstance(a, ast.Name) for a in call.args):
        return None
    properties = None
    for keyword in call.keywords:
        if keyword.arg != "properties":
            return None  # `inherits=`, `primary_key=`, `exclude_properties=`...
        properties = keyword.value
    return call.args[0].id, call.args[1].id, properties


def _mapped(fact, table: ast.Call, properties: ast.AST | None, ctx):
    if any(isinstance(arg, ast.Starred) for arg in table.args) or table.keywords:
        return None
    name, columns = facts_of._imperative_table(table, ctx)
    if name is None or not columns:
        return None
    relationships = []
    if properties is not None:
        if not isinstance(properties, ast.Dict):
            return None
        for key, value in zip(properties.keys, properties.values):
            attr = facts_of._literal(key) if key is not None else None
            if not (
                isinstance(attr, str)
                and isinstance(value, ast.Call)
                and facts_of._last(value) in facts_of._RELATIONSHIP_CALLS
            ):
                return None
            relationships.append(facts_of._relationship_call(value, attr, None, ctx))
    taken = {r.attr for r in relationships}
    return replace(
        fact,
        tablename=name,
        tablename_rule="literal",
        has_table=True,
        imperative=True,
        columns=tuple(c for c in columns if c.attr not in taken),
        relationships=tuple(relationships),
    )
