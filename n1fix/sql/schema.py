"""The indexes a schema declares, read with `ast` from the code that declares them,
beyond what the model index keeps (primary keys, `unique=True`, `index=True`, unique
constraints):

- `Index(...)`, `UniqueConstraint(...)`, `PrimaryKeyConstraint(...)` in a model's
  `__table_args__`, and `Index("name", Model.col, ...)` beside the model;
- Core tables: `Table("renders", metadata, Column(..., index=True), Index(...))`;
- Alembic migrations: `op.create_index`, `op.create_unique_constraint`,
  `op.create_primary_key`, `op.create_table` with its columns and constraints, and the
  same on a `batch_alter_table`'s `batch_op`, or through a project helper of the same
  name (`create_index(TABLE, "ix_name", ["col"])`); with the migration's `revision` and
  `down_revision`;
- Django: `Meta.indexes` (`models.Index(fields=[...])`), `Meta.index_together`,
  `Meta.unique_together`, `Meta.constraints` (`UniqueConstraint(fields=[...])`).

Each index is `{"columns": [...], "line": n}` plus where it belongs: `"class"` (a model
class of this file, its columns as attributes or column names), `"ref"` (a model named
from outside its class) or `"table"` (a table by name).
"""

from __future__ import annotations

import ast
import re

CREATE_INDEX = re.compile(
    r"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:[\w\".]+\s+)?ON\s+(?:ONLY\s+)?([\w\".]+)\s*(?:USING\s+\w+\s*)?\(([^)]*)\)",
    re.I,
)
DIALECTS = {
    "postgres": re.compile(r"postgresql|psycopg|asyncpg"),
    "mysql": re.compile(r"mysql"),
    "sqlite": re.compile(r"sqlite"),
}
# Alembic operations whose first argument is the table (the others name a constraint first)
TABLE_FIRST = {
    "create_table",
    "drop_table",
    "add_column",
    "drop_column",
    "alter_column",
    "batch_alter_table",
    "rename_table",
}
INDEX_CALLS = {"Index", "UniqueConstraint", "PrimaryKeyConstraint"}
COLUMN_FLAGS = ("index", "unique", "primary_key")
ALEMBIC_CREATES = {
    "create_index": (2, "index_name", "table_name", "columns"),
    "create_unique_constraint": (2, "constraint_name", "table_name", "columns"),
    "create_primary_key": (2, "constraint_name", "table_name", "columns"),
}


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return getattr(func, "attr", None) or getattr(func, "id", None)
    return None


def _literal(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _column_name(node: ast.AST) -> str | None:
    """A column named in an index: "col", a class-body name, `Model.col`, `table.c.col`,
    `desc("col")`; with a `text(...)` or another expression, None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call) and _called(node) in ("desc", "asc"):
        inner = node.args[0] if node.args else node.func.value
        return _column_name(inner)
    return None


def _columns(nodes: list[ast.AST]) -> list[str] | None:
    names = [_column_name(n) for n in nodes]
    return names if names and all(names) else None


def _index_columns(call: ast.Call) -> list[str] | None:
    """The columns of an `Index(name, *cols)` / `UniqueConstraint(*cols)` call."""
    args = call.args[1:] if _called(call) == "Index" else call.args
    return _columns(args)


def _owner(call: ast.Call) -> str | None:
    """The model `Index("ix", Render.project_id, ...)` indexes, from its columns."""
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and arg.args:
            arg = arg.args[0]
        if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
            if arg.value.id[:1].isupper():
                return arg.value.id
    return None


def _table_args(cls: ast.ClassDef) -> list[dict]:
    found = []
    for stmt in cls.body:
        if not isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            continue
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if not any(getattr(t, "id", None) == "__table_args__" for t in targets):
            continue
        for node in ast.walk(stmt.value) if stmt.value else ():
            if _called(node) in INDEX_CALLS:
                columns = _index_columns(node)
                if columns:
                    found.append(
                        {"class": cls.name, "columns": columns, "line": node.lineno}
                    )
            elif _called(node) == "ForeignKeyConstraint" and node.args:
                local = node.args[0]
                columns = (
                    _columns(local.elts)
                    if isinstance(local, (ast.List, ast.Tuple))
                    else None
                )
                if columns and len(columns) > 1:
                    found.append(
                        {
                            "class": cls.name,
                            "columns": columns,
                            "line": node.lineno,
                            "foreign_key": True,
                        }
                    )
    return found


def _class_schema(cls: ast.ClassDef) -> list[dict]:
    """`{"class": ..., "schema": ...}` when a model's own `__table_args__` names its
    schema (`{"schema": "users"}`, alone or last in the tuple); `"schema": None` when it
    says one that is not a literal."""
    for stmt in cls.body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, ast.AnnAssign)
            else []
        )
        if not any(getattr(t, "id", None) == "__table_args__" for t in targets):
            continue
        for node in ast.walk(stmt.value) if stmt.value else ():
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values):
                if key is not None and _literal(key) == "schema":
                    return [{"class": cls.name, "schema": _literal(value)}]
    return []


def _django_meta(cls: ast.ClassDef) -> list[dict]:
    meta = next(
        (s for s in cls.body if isinstance(s, ast.ClassDef) and s.name == "Meta"), None
    )
    if meta is None:
        return []
    found = []
    for stmt in meta.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
            continue
        target = getattr(stmt.targets[0], "id", None)
        if target in ("indexes", "constraints"):
            for node in ast.walk(stmt.value):
                if _called(node) not in ("Index", "UniqueConstraint"):
                    continue
                fields = next(
                    (k.value for k in node.keywords if k.arg == "fields"), None
                )
                if isinstance(fields, (ast.List, ast.Tuple)):
                    columns = [_literal(e) for e in fields.elts]
                    if columns and all(columns):
                        columns = [c.lstrip("-") for c in columns]
                        found.append(
                            {"class": cls.name, "columns": columns, "line": node.lineno}
                        )
        elif target in ("unique_together", "index_together"):
            value = stmt.value
            groups = value.elts if isinstance(value, (ast.List, ast.Tuple)) else []
            if groups and all(_literal(g) for g in groups):
                groups = [value]  # one group written flat: ("a", "b")
            for group in groups:
                if isinstance(group, (ast.List, ast.Tuple)):
                    columns = [_literal(e) for e in group.elts]
                    if columns and all(columns):
                        found.append(
                            {
                                "class": cls.name,
                                "columns": columns,
                                "line": group.lineno,
                            }
                        )
    return found


def _table_call(call: ast.Call) -> list[dict]:
    """`Table("name", metadata, Column("c", ..., index=True), Index(...), ...)` and
    Alembic's `op.create_table("name", sa.Column(...), ...)`."""
    table = _literal(call.args[0]) if call.args else None
    if table is None:
        return []
    found = []
    for arg in call.args[1:]:
        kind = _called(arg)
        if kind == "Column" and arg.args:
            name = _literal(arg.args[0])
            flagged = any(
                k.arg in COLUMN_FLAGS
                and isinstance(k.value, ast.Constant)
                and k.value.value is True
                for k in arg.keywords
            )
            if name and flagged:
                found.append({"table": table, "columns": [name], "line": arg.lineno})
        elif kind in INDEX_CALLS:
            columns = _index_columns(arg)
            if columns:
                found.append({"table": table, "columns": columns, "line": arg.lineno})
    return found


def _alembic_create(call: ast.Call, batch_tables: dict[str, str]) -> dict | None:
    """`op.create_index("ix", "renders", ["project_id"])` and its keyword forms;
    `batch_op.create_index("ix", ["project_id"])` inside `batch_alter_table("renders")`."""
    method = call.func.attr
    _, name_kw, table_kw, columns_kw = ALEMBIC_CREATES[method]
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    receiver = call.func.value
    batch_table = (
        batch_tables.get(receiver.id) if isinstance(receiver, ast.Name) else None
    )
    positional = list(call.args)
    if batch_table is not None:
        table = batch_table
        columns = positional[1] if len(positional) > 1 else keywords.get(columns_kw)
    else:
        table_node = positional[1] if len(positional) > 1 else keywords.get(table_kw)
        table = _literal(table_node) if table_node is not None else None
        columns = positional[2] if len(positional) > 2 else keywords.get(columns_kw)
    if table is None or not isinstance(columns, (ast.List, ast.Tuple)):
        return None
    names = _columns(columns.elts)
    if not names:
        return None
    return {"table": table, "columns": names, "line": call.lineno}


def _module_strings(tree: ast.Module) -> dict[str, str]:
    """`TASKS_TABLE = "tasks"` at the top level of a migration: names its calls use."""
    found = {}
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and _literal(stmt.value) is not None
        ):
            found[stmt.targets[0].id] = _literal(stmt.value)
    return found


def _helper_create(call: ast.Call, strings: dict[str, str]) -> list[dict]:
    """`create_index("logs", "ix_logs_user", ["user_id"])`: a project's own helper (a
    bare name, not `op.`), whose order of table and index name n1fix does not read.
    Each of its first two string arguments is taken as the table in turn: an index name
    is no table's name, so the guess that is wrong indexes nothing that is queried."""
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    columns = call.args[2] if len(call.args) > 2 else keywords.get("columns")
    if not isinstance(columns, (ast.List, ast.Tuple)):
        return []
    names = _columns(columns.elts)

    def text(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return strings.get(node.id)
        return _literal(node)

    tables = [text(a) for a in call.args[:2]]
    tables += [text(keywords[k]) for k in ("table_name", "table") if k in keywords]
    if not names:
        return []
    return [
        {"table": table, "columns": names, "line": call.lineno}
        for table in dict.fromkeys(t for t in tables if t)
    ]


def _batch_tables(tree: ast.Module) -> dict[str, str]:
    """`with op.batch_alter_table("renders") as batch_op:` -> {"batch_op": "renders"}."""
    tables = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                call = item.context_expr
                if (
                    _called(call) == "batch_alter_table"
                    and call.args
                    and _literal(call.args[0])
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    tables[item.optional_vars.id] = _literal(call.args[0])
    return tables


def _revision(tree: ast.Module) -> dict | None:
    """An Alembic migration's `revision` and `down_revision` (a list: a merge has more)."""
    values = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        else:
            continue
        name = getattr(target, "id", None)
        if name in ("revision", "down_revision") and value is not None:
            values[name] = value
    revision = _literal(values["revision"]) if "revision" in values else None
    if revision is None or "down_revision" not in values:
        return None
    down = values["down_revision"]
    if isinstance(down, ast.Constant) and down.value is None:
        parents = []
    elif isinstance(down, (ast.Tuple, ast.List)):
        parents = [_literal(e) for e in down.elts]
    else:
        parents = [_literal(down)]
    if not all(parents):
        return None
    return {"revision": revision, "down": parents}


def declared_indexes(tree: ast.Module, text: str) -> dict:
    """`{"indexes": [...], "migration": {...} | None}` for one file."""
    indexes: list[dict] = []
    schemas: list[dict] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            indexes.extend(_table_args(node))
            if "schema" in text:
                schemas.extend(_class_schema(node))
            if "Meta" in text:
                indexes.extend(_django_meta(node))
    batch_tables = _batch_tables(tree) if "batch_alter_table" in text else {}
    strings = None  # the module's string constants, read when a helper needs them
    in_class_args = {
        id(n)
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
        for stmt in cls.body
        for n in ast.walk(stmt)
        if isinstance(stmt, (ast.Assign, ast.AnnAssign))
        and any(
            getattr(t, "id", None) == "__table_args__"
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        )
    }
    for node in ast.walk(tree):
        kind = _called(node)
        if kind in ("Table", "create_table"):
            indexes.extend(_table_call(node))
        elif (
            kind in ALEMBIC_CREATES
            and isinstance(node.func, ast.Attribute)
            and (node.args or node.keywords)
        ):
            found = _alembic_create(node, batch_tables)
            if found:
                indexes.append(found)
        elif kind in ALEMBIC_CREATES and isinstance(node.func, ast.Name):
            if strings is None:
                strings = _module_strings(tree)
            indexes.extend(_helper_create(node, strings))
        elif kind == "Index" and id(node) not in in_class_args:
            owner = _owner(node)
            columns = _index_columns(node)
            if owner and columns:
                indexes.append({"ref": owner, "columns": columns, "line": node.lineno})
    if "INDEX" in text.upper():
        indexes.extend(sql_indexes(tree))
    migration = _revision(tree) if "down_revision" in text else None
    facts = {"indexes": indexes, "migration": migration}
    if schemas:
        facts["schemas"] = schemas
    if "naming_convention" in text:
        conventions = index_naming(tree)
        if conventions:
            facts["index_naming"] = conventions
    if migration is not None:
        facts["tables"] = sorted(_tables_named(tree))
        schemas = _table_schemas(tree)
        if schemas:
            facts["table_schemas"] = schemas
        facts["migration_style"] = migration_style(tree, text)
    dialects = [name for name, pattern in DIALECTS.items() if pattern.search(text)]
    if dialects:
        facts["dialects"] = dialects
    return facts


def sql_indexes(tree: ast.Module) -> list[dict]:
    """`CREATE INDEX ... ON table (cols)` in a string (`op.execute(...)`, DDL)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.extend(ddl_indexes(node.value, node.lineno))
    return found


def ddl_indexes(sql: str, line: int = 1) -> list[dict]:
    found = []
    for match in CREATE_INDEX.finditer(sql):
        table = match.group(1).replace('"', "").rsplit(".", 1)[-1]
        columns = []
        for term in match.group(2).split(","):
            words = term.replace('"', "").split()
            columns.append(words[0] if words else "")
        if all(c.isidentifier() for c in columns):
            at = line + sql.count("\n", 0, match.start())
            found.append({"table": table, "columns": columns, "line": at})
    return found


def _tables_named(tree: ast.Module) -> set[str]:
    """The tables an Alembic migration's `op.*` calls name."""
    tables = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "op"
        ):
            method = node.func.attr
            position = 0 if method in TABLE_FIRST else 1
            args = node.args
            table = _literal(args[position]) if len(args) > position else None
            table = table or next(
                (
                    _literal(k.value)
                    for k in node.keywords
                    if k.arg in ("table_name", "source_table")
                ),
                None,
            )
            if table:
                tables.add(table)
    return tables


def migration_style(tree: ast.Module, text: str) -> dict:
    """How an Alembic migration is written, for a new one to follow: `revision: str = ...`
    annotations, the quote its revision is written with, `def upgrade() -> None`, and
    the lines of its header docstring."""
    style = {"annotated": False, "quote": '"', "returns": False, "header": []}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and getattr(stmt.target, "id", None) in (
            "revision",
            "down_revision",
        ):
            style["annotated"] = True
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(getattr(t, "id", None) == "revision" for t in targets):
                source = ast.get_source_segment(text, stmt.value) or ""
                if source[:1] in ("'", '"'):
                    style["quote"] = source[0]
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "upgrade":
            style["returns"] = stmt.returns is not None
    docstring = ast.get_docstring(tree, clean=False)
    if docstring:
        style["header"] = [
            line.split(":", 1)[0]
            for line in docstring.splitlines()
            if line.split(":", 1)[0] in ("Revision ID", "Revises", "Create Date")
        ]
    return style


def _table_schemas(tree: ast.Module) -> list[list[str]]:
    """[table, schema] for each `op.*` call of a migration that names both
    (`op.create_table("attachments", ..., schema="attachments")`)."""
    found = set()
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "op"
        ):
            continue
        schema = next(
            (_literal(k.value) for k in node.keywords if k.arg == "schema"), None
        )
        if schema is None:
            continue
        position = 0 if node.func.attr in TABLE_FIRST else 1
        table = _literal(node.args[position]) if len(node.args) > position else None
        table = table or next(
            (_literal(k.value) for k in node.keywords if k.arg == "table_name"), None
        )
        if table:
            found.add((table, schema))
    return [list(pair) for pair in sorted(found)]


CONVENTION_KEYS = {"ix", "uq", "fk", "pk", "ck"}


def index_naming(tree: ast.Module) -> list[str | None]:
    """The `"ix"` entries of the naming conventions a file declares (a dict with
    the keys of SQLAlchemy's `naming_convention`): the template when it is a literal
    string, None when it is not."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Dict):
            continue
        keys = [_literal(k) if k is not None else None for k in node.keys]
        if "ix" not in keys or len(CONVENTION_KEYS & set(keys)) < 2:
            continue
        found.append(_literal(node.values[keys.index("ix")]))
    return found
