"""Classes mapped imperatively: a module-level `Table(...)` and
`registry.map_imperatively(Class, table, properties={...})` (or the classic
`mapper(Class, table, ...)`), as ckan maps every model.

ckan's `model.Group` is a plain class; `group_table = Table("group", metadata,
Column("id", ..., primary_key=True), Column("name", ..., unique=True), ...)` and
`meta.registry.map_imperatively(Group, group_table)` make it a model whose columns are the
table's. The facts of such a class are the table's: its name, its columns (with their
primary key, uniqueness and nullability), and the relationships `properties=` gives
(`model_facts` reads them).

Read only when every part is shown in the module itself: the class and the table are
defined there, the call names nothing else than the class, the table and `properties=`,
and every property is a `relationship(...)` (a renamed column, `column_property` or
`synonym` would change what the attributes mean). Anything else leaves the class as it
was: not a model, which keeps every fix on it unsafe or absent.

A column's attribute is its `key=` when it has one (`Column("group_id", ..., key="gid")`
maps `gid`); a column named like something the class body (or a base's body in the
module) defines, a method, a property or a class attribute, is not mapped at all, as
SQLAlchemy leaves such a user attribute in place.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

_MAPPING_CALLS = {"map_imperatively", "mapper"}
_RELATIONSHIP_CALLS = {"relationship", "relation"}


@dataclass(frozen=True)
class Mapping:
    table: ast.Call  # the `Table(...)` call the class is mapped to
    relationships: tuple[tuple[str, ast.Call], ...]  # (attribute, `relationship(...)`)
    # The names the class body (and its bases' bodies in the module) give a value:
    # methods, properties, class attributes. A table column of such a name is not
    # mapped (SQLAlchemy leaves a user-defined attribute of the class in place).
    class_members: frozenset[str] = frozenset()


def imperative_mappings(statements: Iterable[ast.stmt]) -> dict[str, Mapping]:
    """Class name -> its mapping, for the classes the statements map imperatively and
    readably (see the module's docstring)."""
    tables: dict[str, ast.Call] = {}
    classes: dict[str, ast.ClassDef] = {}
    mapped: dict[str, tuple[str, tuple[tuple[str, ast.Call], ...]] | None] = {}
    for stmt in statements:
        if isinstance(stmt, ast.ClassDef):
            classes[stmt.name] = stmt
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
            and _last(stmt.value.func) == "Table"
        ):
            tables[stmt.targets[0].id] = stmt.value
        elif (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Call)
            and _last(stmt.value.func) in _MAPPING_CALLS
        ):
            call = stmt.value
            first = call.args[0] if call.args else None
            if not isinstance(first, ast.Name):
                continue
            read = _mapping(call)
            # mapped twice, or not readably: not read at all
            mapped[first.id] = None if first.id in mapped else read
    found = {}
    for cls, read in mapped.items():
        if read is None or read[0] not in tables:
            continue
        table = tables[read[0]]
        if table.keywords or any(isinstance(a, ast.Starred) for a in table.args):
            continue
        found[cls] = Mapping(table, read[1], _class_members(cls, classes))
    return found


def _class_members(name: str, classes: dict[str, ast.ClassDef]) -> frozenset[str]:
    """The names the class body defines with a value, and those of its bases defined
    in the module (bases defined elsewhere are not read)."""
    members: set[str] = set()
    seen: set[str] = set()
    todo = [name]
    while todo:
        cls = classes.get(todo.pop())
        if cls is None or cls.name in seen:
            continue
        seen.add(cls.name)
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                members.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    members.update(
                        n.id for n in ast.walk(target) if isinstance(n, ast.Name)
                    )
            elif (
                isinstance(stmt, ast.AnnAssign)
                and stmt.value is not None
                and isinstance(stmt.target, ast.Name)
            ):
                members.add(stmt.target.id)
        todo.extend(b.id for b in cls.bases if isinstance(b, ast.Name))
    return frozenset(members)


def _mapping(call: ast.Call) -> tuple[str, tuple[tuple[str, ast.Call], ...]] | None:
    """(table name, relationships) of `map_imperatively(Class, table, properties=...)`."""
    if len(call.args) != 2 or not isinstance(call.args[1], ast.Name):
        return None
    relationships: list[tuple[str, ast.Call]] = []
    for keyword in call.keywords:
        if keyword.arg != "properties" or not isinstance(keyword.value, ast.Dict):
            return None  # `inherits=`, `primary_key=`, `exclude_properties=`...
        for key, value in zip(keyword.value.keys, keyword.value.values):
            if not (
                isinstance(key, ast.Constant)
                and isinstance(key.value, str)
                and isinstance(value, ast.Call)
                and _last(value.func) in _RELATIONSHIP_CALLS
            ):
                return None
            relationships.append((key.value, value))
    return call.args[1].id, tuple(relationships)


def _last(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None
