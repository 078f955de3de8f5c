"""Per-file facts about ORM model classes, read with the stdlib `ast`.

`extract_models` looks at one module on its own: it records what each class body says
(columns, relationships, table name and table arguments, base classes), the declarative
bases and Flask-SQLAlchemy objects the module creates, reusable column types
(`intpk = Annotated[int, mapped_column(primary_key=True)]`) and the names the module
imports or re-binds. Names are qualified with the module's imports as far as one module
allows; everything that needs other modules (is this base a declarative base? which class
is `"Render"`?) is left to `n1fix.orm.models.ModelIndex.from_facts`.

The facts are frozen dataclasses of strings, booleans and tuples (no ast nodes), so they
pickle cheaply and files can be processed in worker processes.

Imperative `Table(...)` objects at module level (and classical `mapper()` / `map_imperatively`
mappings) are out of scope; a class body's own `__table__ = Table("name", metadata,
Column("col", ...), ...)` is read for its table name and columns.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Union

from n1fix.cst.astwalk import ast_dotted_name, child_nodes, index_of, indexed_within
from n1fix.orm.imperative_mappings import Mapping, imperative_mappings
from n1fix.orm.imports import import_map
from n1fix.orm.model_properties import property_names
from n1fix.orm.normalised_values import NormalisedValueFacts

__all__ = [
    "REF_PREFIX",
    "AliasFacts",
    "ClassFacts",
    "ColumnFacts",
    "ModelFacts",
    "ModuleFacts",
    "ListenerFacts",
    "RelationshipFacts",
    "extract_models",
]

# A foreign key written as a class attribute (`ForeignKey(User.id)`) is recorded as
# REF_PREFIX + the qualified attribute (`@app.models.User.id`), resolved to `table.column`
# by the index.
REF_PREFIX = "@"

_MAPPED = {"Mapped", "WriteOnlyMapped", "DynamicMapped"}
_COLLECTIONS = {
    "list",
    "List",
    "set",
    "Set",
    "frozenset",
    "FrozenSet",
    "dict",
    "Dict",
    "Sequence",
    "MutableSequence",
    "Collection",
    "Iterable",
    "AbstractSet",
    "MutableSet",
    "Mapping",
    "MutableMapping",
    "tuple",
    "Tuple",
}
_COLUMN_CALLS = {"Column", "mapped_column"}
_RELATIONSHIP_CALLS = {"relationship", "relation", "dynamic_loader"}
_WRAPPERS = {"deferred", "column_property"}
# Column() positional arguments that are neither the type nor a foreign key.
_COLUMN_EXTRAS = {
    "Sequence",
    "Identity",
    "Computed",
    "CheckConstraint",
    "FetchedValue",
    "DefaultClause",
    "DefaultGenerator",
    "ColumnDefault",
}
_DECLARED_ATTR = {"declared_attr", "directive", "cascading"}


@dataclass(frozen=True)
class ColumnFacts:
    """One column as its class body (or a reusable column type) spells it.

    `None` means "not said here"; the index fills in defaults and merges reusable types.
    """

    attr: str
    name: str | None = None  # database column name when overridden
    type: str | None = None  # SQL type as written (`Integer`)
    python_type: str | None = None  # the annotated Python type (`int`)
    primary_key: bool | None = None
    unique: bool | None = None
    nullable: bool | None = (
        None  # explicit nullable=...; a non-literal value reads as True
    )
    index: bool | None = None
    foreign_key: str | None = None  # "users.id" or REF_PREFIX + qualified attribute
    optional: bool | None = (
        None  # the annotation allows None; None: decided by type_ref
    )
    type_ref: str | None = None  # qualified name of the annotated type (maybe an alias)
    annotated: bool = False  # a `Mapped[...]` (or SQLModel field) annotation is present
    classic: bool = (
        False  # Column(): nullable=True unless primary key; annotation ignored
    )
    uncertain: bool = False  # **kwargs or an unreadable annotation: nullability unknown
    sqlmodel: bool = False  # a plain annotated field: a column only in SQLModel tables
    # The SQL type's own arguments as written (`50, collation='NOCASE'`), and its
    # collation (`collation=`, "?" when not a literal or not told apart from a length).
    type_args: str | None = None
    collation: str | None = None
    # The foreign key's `ondelete=` as written, upper-cased ("?": not a literal).
    ondelete: str | None = None


@dataclass(frozen=True)
class RelationshipFacts:
    attr: str
    target: str | None  # as written: "Render", "app.models.Render", Render
    target_ref: str | None  # qualified guess through the module's imports
    lazy: str | None = None  # None when not given
    uselist: bool | None = None
    collection: bool | None = (
        None  # from the annotation: list[...] vs scalar; None: none
    )
    back_populates: str | None = None
    backref: str | None = None
    backref_lazy: str | None = None
    backref_uselist: bool | None = None
    backref_remote_side: bool = False
    backref_cascade: str | None = None  # as written; "?" when not a literal
    backref_passive_deletes: bool | str = False  # True, "all", or False
    secondary: bool = False
    # foreign_keys=: (class as written or None for this class, its qualified guess, attr)
    foreign_keys: tuple[tuple[str | None, str | None, str], ...] = ()
    remote_side: bool = False
    primaryjoin: bool = False
    viewonly: bool = False
    cascade: str | None = None  # as written; "?" when not a literal
    passive_deletes: bool | str = False  # True, "all", or False


@dataclass(frozen=True)
class ClassFacts:
    qualname: str
    name: str
    module: str
    bases: tuple[str, ...]  # qualified through the module's imports
    decorators: tuple[str, ...] = ()
    table_keyword: bool = False  # SQLModel `class X(SQLModel, table=True)`
    tablename: str | None = None
    tablename_rule: str | None = (
        None  # literal | lower | name | unknown; None: not declared
    )
    abstract: bool = False
    has_table: bool = False  # `__table__ = ...`
    columns: tuple[ColumnFacts, ...] = ()
    relationships: tuple[RelationshipFacts, ...] = ()
    defines_table_args: bool = False
    unique_sets: tuple[tuple[str, ...], ...] = ()  # column names, from __table_args__
    primary_key_names: tuple[str, ...] = ()  # PrimaryKeyConstraint column names
    table_foreign_keys: tuple[tuple[str, str], ...] = ()  # (column name, "table.col")
    # (column name, `ondelete=` upper-cased or "?") of a ForeignKeyConstraint that has one
    table_foreign_key_ondelete: tuple[tuple[str, str], ...] = ()
    version_id: bool = False  # `__mapper_args__` names a `version_id_col`
    methods: tuple[str, ...] = ()  # the methods the class body defines itself
    # The attributes `@validates(...)` methods of the class body rewrite ("?": unreadable).
    validated: tuple[str, ...] = ()
    # Per method that may touch the database: (name, what it does itself: "commits",
    # "flushes", "writes" or "", the names of the methods it calls on anything).
    method_effects: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # `query_class = X` (Flask-SQLAlchemy's `Model.query`): X qualified; for a class nested
    # in the body, its own methods and bases, since nested classes get no facts of their own.
    query_class: str | None = None
    query_class_methods: tuple[str, ...] | None = None
    query_class_bases: tuple[str, ...] = ()
    # Mapped by `registry.map_imperatively(cls, table)` in its module
    # (`imperative_mappings`): a model whatever its bases.
    imperative: bool = False


@dataclass(frozen=True)
class ListenerFacts:
    """`@event.listens_for(Target, "event")` or `event.listen(Target, "event", fn)`.

    `target` is qualified through the module's imports (`app.models.Render`, or
    `app.models.Render.status` for an attribute event); `event` is "?" when not a literal.
    """

    target: str
    event: str
    module: str
    line: int


@dataclass(frozen=True)
class AliasFacts:
    """A module-level object that matters to models.

    kind: `declarative_base` (`declarative_base()`, `registry.generate_base()`),
    `flask_db` (`SQLAlchemy()`: its `.Model` is a declarative base), `registry`, or
    `column_type` (`Annotated[...]`/`Optional[...]` aliases used inside `Mapped[...]`).
    """

    qualname: str
    kind: str
    mixins: tuple[
        str, ...
    ] = ()  # declarative_base(cls=...), SQLAlchemy(model_class=...)
    column: ColumnFacts | None = None


@dataclass(frozen=True)
class ModuleFacts:
    """What the module's names stand for: its imports and `X = other.Y` re-bindings."""

    module: str
    names: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SessionQueryFacts:
    """A session factory or Flask-SQLAlchemy object built with a Query class of the
    project's: `sessionmaker(query_cls=X)`, `SQLAlchemy(query_class=X)`. Its sessions'
    `query(...)` (and Flask's `Model.query`) return X, whose methods may not be stock."""

    qualname: str  # the object bound (`app.db.Session`)
    query_class: str  # qualified through the module's imports
    module: str


ModelFacts = Union[
    ClassFacts,
    AliasFacts,
    ModuleFacts,
    ListenerFacts,
    SessionQueryFacts,
    NormalisedValueFacts,
]


def _last(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


_UNKNOWN = object()


def _literal(node: ast.AST) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    return _UNKNOWN


def _flag(node: ast.AST) -> bool | None:
    """A literal bool, or None when the value is not a literal."""
    value = _literal(node)
    return value if isinstance(value, bool) else None


def _parse_string(text: str) -> ast.expr | None:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None


class _Context:
    def __init__(self, module: str, names: dict[str, str]) -> None:
        self.module = module
        self.names = names

    def qualify(self, dotted: str) -> str:
        first, dot, rest = dotted.partition(".")
        if first in self.names:
            return self.names[first] + dot + rest
        return f"{self.module}.{dotted}"


@dataclass
class _Type:
    """What an annotation (inside `Mapped[...]`) says."""

    optional: bool | None = False
    collection: bool = False
    type_name: str | None = None
    type_ref: str | None = None
    written: str | None = None
    spec: ColumnFacts | None = None
    unknown: bool = False


def _describe(node: ast.AST | None, ctx: _Context) -> _Type:
    if node is None:
        return _Type(optional=None, unknown=True)
    if isinstance(node, ast.Constant):
        if node.value is None:
            return _Type(optional=True)
        if isinstance(node.value, str):
            return _describe(_parse_string(node.value), ctx)
        return _Type(optional=None, unknown=True)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union(_flatten_or(node), ctx)
    if isinstance(node, ast.Subscript):
        head = _last(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional" and args:
            described = _describe(args[0], ctx)
            described.optional = True
            return described
        if head == "Union":
            return _union(args, ctx)
        if head == "Annotated" and args:
            described = _describe(args[0], ctx)
            for meta in args[1:]:
                if isinstance(meta, ast.Call) and _last(meta) in _COLUMN_CALLS:
                    described.spec = _column_call(meta, "", ctx, classic=False)
            return described
        if head in _COLLECTIONS and args:
            described = _describe(args[-1], ctx)
            described.optional = False
            described.collection = True
            return described
        return _Type(type_name=head)
    dotted = ast_dotted_name(node)
    if dotted is not None:
        # A plain name: not optional unless it is an alias that says so (index decides).
        return _Type(
            optional=None,
            type_name=dotted.rsplit(".", 1)[-1],
            type_ref=ctx.qualify(dotted),
            written=dotted,
        )
    return _Type(optional=None, unknown=True)


def _flatten_or(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_flatten_or(node.left), *_flatten_or(node.right)]
    return [node]


def _union(members: list[ast.AST], ctx: _Context) -> _Type:
    def is_none(n: ast.AST) -> bool:
        return isinstance(n, ast.Constant) and n.value is None or _last(n) == "NoneType"

    rest = [m for m in members if not is_none(m)]
    has_none = len(rest) < len(members)
    if len(rest) == 1:
        described = _describe(rest[0], ctx)
        if has_none:
            described.optional = True
        return described
    return _Type(optional=True if has_none else False)


@dataclass
class _Annotation:
    wrapper: (
        str | None
    )  # Mapped / WriteOnlyMapped / DynamicMapped, None: plain annotation
    classvar: bool
    described: _Type


def _annotation(node: ast.AST, ctx: _Context) -> _Annotation:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parsed = _parse_string(node.value)
        if parsed is None:
            return _Annotation(None, False, _Type(optional=None, unknown=True))
        node = parsed
    if isinstance(node, ast.Subscript):
        head = _last(node.value)
        if head in _MAPPED:
            return _Annotation(head, False, _describe(node.slice, ctx))
        if head == "ClassVar":
            return _Annotation(None, True, _Type())
    elif _last(node) == "ClassVar":
        return _Annotation(None, True, _Type())
    return _Annotation(None, False, _describe(node, ctx))


def _foreign_key(call: ast.Call, ctx: _Context) -> str | None:
    if not call.args:
        return None
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    dotted = ast_dotted_name(first)
    if dotted is None:
        return None
    owner, _, attr = dotted.rpartition(".")
    if not owner:
        return None
    return f"{REF_PREFIX}{ctx.qualify(owner)}.{attr}"


def _column_call(
    call: ast.Call, attr: str, ctx: _Context, classic: bool
) -> ColumnFacts:
    """Column(...) / mapped_column(...) / SQLModel Field(...) arguments."""
    values: dict[str, object] = {}
    uncertain = False
    for position, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            uncertain = True
        elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            if position == 0:
                values["name"] = arg.value
        elif isinstance(arg, ast.Call) and _last(arg) == "ForeignKey":
            values["foreign_key"] = _foreign_key(arg, ctx)
            ondelete = _ondelete(arg.keywords)
            if ondelete is not None:
                values["ondelete"] = ondelete
        elif isinstance(arg, ast.Call) and _last(arg) in _COLUMN_EXTRAS:
            continue
        elif "type" not in values and _last(arg) is not None:
            values["type"] = _last(arg)
            values.update(_type_details(arg))
    sa_column: ColumnFacts | None = None
    for keyword in call.keywords:
        key, value = keyword.arg, keyword.value
        if key is None:
            uncertain = True
        elif key in ("primary_key", "unique", "index"):
            values[key] = bool(_flag(value))  # non-literal: conservatively False
        elif key == "nullable":
            flag = _flag(value)
            values[key] = True if flag is None else flag
        elif key == "name" and isinstance(_literal(value), str):
            values["name"] = _literal(value)
        elif key in ("type_", "sa_type") and _last(value) is not None:
            values["type"] = _last(value)
            values.update(_type_details(value))
        elif key == "foreign_key":
            literal = _literal(value)
            values["foreign_key"] = literal if isinstance(literal, str) else None
        elif key == "ondelete":  # SQLModel's Field(foreign_key=..., ondelete=...)
            values["ondelete"] = _ondelete([keyword])
        elif (
            key == "sa_column"
            and isinstance(value, ast.Call)
            and _last(value) == "Column"
        ):
            sa_column = _column_call(value, attr, ctx, classic=True)
    if sa_column is not None:
        return sa_column
    return ColumnFacts(attr=attr, classic=classic, uncertain=uncertain, **values)  # type: ignore[arg-type]


def _ondelete(keywords: list[ast.keyword]) -> str | None:
    """A foreign key's `ondelete=` upper-cased; "?" when not a literal (or in
    `**options`); None when not given."""
    for keyword in keywords:
        if keyword.arg is None:
            return "?"
        if keyword.arg == "ondelete":
            literal = _literal(keyword.value)
            return literal.strip().upper() if isinstance(literal, str) else "?"
    return None


def _type_details(node: ast.AST) -> dict[str, str]:
    """`String(50, collation="NOCASE")`: its arguments as written and its collation
    ("?" for two positional arguments: a string type's second one is its collation)."""
    if not isinstance(node, ast.Call):
        return {}
    details = {
        "type_args": ", ".join(
            [ast.unparse(arg) for arg in node.args]
            + [ast.unparse(keyword) for keyword in node.keywords]
        )
    }
    for keyword in node.keywords:
        if keyword.arg == "collation" or keyword.arg is None:
            literal = _literal(keyword.value)
            details["collation"] = literal if isinstance(literal, str) else "?"
    if len(node.args) > 1 or any(isinstance(a, ast.Starred) for a in node.args):
        details.setdefault("collation", "?")
    return details


def _target(node: ast.AST | None, ctx: _Context) -> tuple[str | None, str | None]:
    """(target as written, qualified guess) of a relationship's first argument."""
    if isinstance(node, ast.Lambda):
        node = node.body
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        parsed = _parse_string(text)
        dotted = ast_dotted_name(parsed) if parsed is not None else None
        return text, ctx.qualify(dotted) if dotted else None
    if node is None:
        return None, None
    dotted = ast_dotted_name(node)
    if dotted is None:
        return None, None
    return dotted, ctx.qualify(dotted)


def _lazy(node: ast.AST) -> str:
    value = _literal(node)
    if isinstance(value, str):
        return value
    if value is True:
        return "select"
    if value is False:
        return "joined"
    if value is None:
        return "noload"
    return "unknown"


def _foreign_key_list(
    node: ast.AST, ctx: _Context
) -> tuple[tuple[str | None, str | None, str], ...]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parsed = _parse_string(node.value)
        if parsed is None:
            return ()
        node = parsed
    items = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else [node]
    result: list[tuple[str | None, str | None, str]] = []
    for item in items:
        if isinstance(item, ast.Name):
            result.append((None, None, item.id))
            continue
        dotted = ast_dotted_name(item)
        if dotted is None or "." not in dotted:
            continue
        owner, _, attr = dotted.rpartition(".")
        if owner in ("cls", "self"):
            result.append((None, None, attr))
        else:
            result.append((owner, ctx.qualify(owner), attr))
    return tuple(result)


def _relationship_keywords(
    keywords: list[tuple[str | None, ast.AST]], ctx: _Context, values: dict[str, object]
) -> None:
    for key, value in keywords:
        if key == "lazy":
            values["lazy"] = _lazy(value)
        elif key == "uselist":
            values["uselist"] = _flag(value)
        elif key == "back_populates" and isinstance(_literal(value), str):
            values["back_populates"] = _literal(value)
        elif key == "backref":
            _backref(value, values)
        elif key in ("secondary", "link_model"):
            values["secondary"] = _literal(value) is not None
        elif key == "foreign_keys":
            values["foreign_keys"] = _foreign_key_list(value, ctx)
        elif key == "remote_side":
            values["remote_side"] = _literal(value) is not None
        elif key == "primaryjoin":
            values["primaryjoin"] = True
        elif key == "viewonly":
            values["viewonly"] = bool(_flag(value))
        elif key == "cascade":
            values["cascade"] = _cascade(value)
        elif key == "passive_deletes":
            values["passive_deletes"] = _passive_deletes(value)
        elif key == "sa_relationship_kwargs" and isinstance(value, ast.Dict):
            pairs = [
                (_literal(k) if k is not None else None, v)
                for k, v in zip(value.keys, value.values)
            ]
            _relationship_keywords(
                [(k if isinstance(k, str) else None, v) for k, v in pairs], ctx, values
            )


def _backref(node: ast.AST, values: dict[str, object]) -> None:
    literal = _literal(node)
    if isinstance(literal, str):
        values["backref"] = literal
        return
    if not (isinstance(node, ast.Call) and _last(node) == "backref" and node.args):
        return
    name = _literal(node.args[0])
    if not isinstance(name, str):
        return
    values["backref"] = name
    for keyword in node.keywords:
        if keyword.arg == "lazy":
            values["backref_lazy"] = _lazy(keyword.value)
        elif keyword.arg == "uselist":
            values["backref_uselist"] = _flag(keyword.value)
        elif keyword.arg == "remote_side":
            values["backref_remote_side"] = _literal(keyword.value) is not None
        elif keyword.arg == "cascade":
            values["backref_cascade"] = _cascade(keyword.value)
        elif keyword.arg == "passive_deletes":
            values["backref_passive_deletes"] = _passive_deletes(keyword.value)
        elif keyword.arg is None:
            # `backref("x", **options)`: any of them may be a cascade or passive_deletes
            values["backref_cascade"] = "?"
            values["backref_passive_deletes"] = True


def _cascade(node: ast.AST) -> str:
    literal = _literal(node)
    return literal if isinstance(literal, str) else "?"


def _passive_deletes(node: ast.AST) -> bool | str:
    literal = _literal(node)
    return literal if literal in (True, False, "all") else True  # type: ignore[return-value]


def _relationship_call(
    call: ast.Call, attr: str, ann: _Annotation | None, ctx: _Context
) -> RelationshipFacts:
    values: dict[str, object] = {}
    first: ast.AST | None = call.args[0] if call.args else None
    keywords = [(k.arg, k.value) for k in call.keywords]
    for key, value in keywords:
        if key == "argument":
            first = value
    if len(call.args) > 1:
        values["secondary"] = True
    target, target_ref = _target(first, ctx)
    if _last(call) == "dynamic_loader":
        values["lazy"] = "dynamic"
    if ann is not None:
        described = ann.described
        if target is None and described.written is not None:
            target, target_ref = described.written, described.type_ref
        if ann.wrapper in ("WriteOnlyMapped", "DynamicMapped"):
            values["collection"] = True
            values["lazy"] = (
                "write_only" if ann.wrapper == "WriteOnlyMapped" else "dynamic"
            )
        elif not described.unknown and described.written is not None:
            values["collection"] = described.collection
    _relationship_keywords(keywords, ctx, values)
    return RelationshipFacts(attr=attr, target=target, target_ref=target_ref, **values)  # type: ignore[arg-type]


def _column_from_annotation(
    attr: str, ann: _Annotation, base: ColumnFacts | None, sqlmodel: bool = False
) -> ColumnFacts:
    """The column `base` (None: a bare annotation) with what its annotation says;
    `sqlmodel` marks a plain field, a column only in SQLModel tables."""
    described = ann.described
    if base is None:
        # As replacing the fields of `ColumnFacts(attr=attr)` gives (most of a pydantic
        # application's fields: `replace` is slow).
        return ColumnFacts(
            attr=attr,
            python_type=described.type_name,
            optional=described.optional,
            type_ref=described.type_ref,
            annotated=True,
            uncertain=described.unknown,
            sqlmodel=sqlmodel,
        )
    more = {"sqlmodel": True} if sqlmodel else {}
    if base.classic:
        return replace(base, python_type=described.type_name, **more)
    return replace(
        base,
        python_type=described.type_name,
        optional=described.optional,
        type_ref=described.type_ref,
        annotated=True,
        uncertain=base.uncertain or described.unknown,
        **more,
    )


def _tablename_rule(node: ast.AST | None) -> tuple[str | None, str]:
    """(literal name, rule) of a `__tablename__` value or declared_attr return value."""
    literal = _literal(node) if node is not None else _UNKNOWN
    if isinstance(literal, str):
        return literal, "literal"
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "lower"
        and not node.args
        and ast_dotted_name(node.func.value) in ("cls.__name__", "self.__name__")
    ):
        return None, "lower"
    if node is not None and ast_dotted_name(node) in ("cls.__name__", "self.__name__"):
        return None, "name"
    return None, "unknown"


def _names_in(
    args: list[ast.expr], columns: dict[str, ColumnFacts]
) -> tuple[str, ...] | None:
    names: list[str] = []
    for arg in args:
        literal = _literal(arg)
        if isinstance(literal, str):
            names.append(literal)
        elif isinstance(arg, ast.Name) and arg.id in columns:
            column = columns[arg.id]
            names.append(column.name or column.attr)
        else:
            return None
    return tuple(names)


def _table_args(
    node: ast.AST, columns: dict[str, ColumnFacts], out: dict[str, list]
) -> None:
    items = node.elts if isinstance(node, (ast.Tuple, ast.List)) else []
    for item in items:
        if not isinstance(item, ast.Call):
            continue
        kind = _last(item)
        if kind == "UniqueConstraint":
            names = _names_in(item.args, columns)
            if names:
                out["unique_sets"].append(names)
        elif (
            kind == "Index"
            and any(k.arg == "unique" and _flag(k.value) for k in item.keywords)
            # A partial index (`postgresql_where=`, `sqlite_where=`): unique only
            # among the rows its condition keeps, not over the table.
            and not any(
                k.arg is None or k.arg.endswith("_where") for k in item.keywords
            )
        ):
            names = _names_in(item.args[1:], columns)
            if names:
                out["unique_sets"].append(names)
        elif kind == "PrimaryKeyConstraint":
            names = _names_in(item.args, columns)
            if names:
                out["primary_key_names"].extend(names)
        elif kind == "ForeignKeyConstraint" and len(item.args) >= 2:
            local, remote = item.args[0], item.args[1]
            if isinstance(local, (ast.List, ast.Tuple)) and isinstance(
                remote, (ast.List, ast.Tuple)
            ):
                locals_ = _names_in(local.elts, columns)
                remotes = [_literal(r) for r in remote.elts]
                if (
                    locals_
                    and len(locals_) == len(remotes)
                    and all(isinstance(r, str) for r in remotes)
                ):
                    out["table_foreign_keys"].extend(zip(locals_, remotes))  # type: ignore[arg-type]
                    ondelete = _ondelete(item.keywords)
                    if ondelete is not None:
                        out["table_foreign_key_ondelete"].extend(
                            (name, ondelete) for name in locals_
                        )


def _names_version_id(node: ast.AST | None) -> bool:
    """`{"version_id_col": version}` (or a non-literal mapping, which might hold one)."""
    if isinstance(node, ast.Dict):
        return any(
            _literal(key) == "version_id_col" or key is None for key in node.keys
        )
    return node is not None and not (
        isinstance(node, ast.Constant) and node.value is None
    )


_LISTEN_CALLS = {"listens_for", "listen"}


def _listeners(tree: ast.Module, ctx: _Context) -> list[ListenerFacts]:
    """ORM event registrations anywhere in the module (also inside set-up functions).

    Only walked when the module imports `sqlalchemy.event` (or one of its functions):
    most modules do not, and the walk is then skipped.
    """
    if not any(
        q == "sqlalchemy.event" or q.startswith("sqlalchemy.event.")
        for q in ctx.names.values()
    ):
        return []
    found = []
    for node in _in_walk_order(
        tree,
        [
            node
            for node in index_of(tree).by_class.get(ast.Call, ())
            if _last(node) in _LISTEN_CALLS and len(node.args) >= 2
        ],
    ):
        func = ast_dotted_name(node.func)
        if func is None or not ctx.qualify(func).startswith("sqlalchemy.event"):
            continue
        target = ast_dotted_name(node.args[0])
        if target is None:
            continue
        event = _literal(node.args[1])
        found.append(
            ListenerFacts(
                ctx.qualify(target),
                event if isinstance(event, str) else "?",
                ctx.module,
                node.lineno,
            )
        )
    return found


def _in_walk_order(tree: ast.Module, nodes: list[ast.AST]) -> list[ast.AST]:
    """`nodes` (of `tree`, in the node index's pre-order) in the order `ast.walk(tree)`
    meets them, which the listeners were always listed in: breadth first, so by depth,
    and in pre-order among nodes of one depth."""
    if len(nodes) < 2:
        return nodes
    index = index_of(tree)
    number = index.number
    return sorted(
        nodes,
        key=lambda node: (_depth(tree, number[id(node)], number), number[id(node)]),
    )


def _depth(tree: ast.Module, target: int, number: dict[int, int]) -> int:
    """How far below `tree` the node numbered `target` lies: down from the top, the
    child holding it is the last one numbered at or before it (children are numbered
    in the order `child_nodes` gives them)."""
    node, depth = tree, 0
    while number[id(node)] != target:
        holder = None
        for child in child_nodes(node):
            if number[id(child)] > target:
                break
            holder = child
        node, depth = holder, depth + 1
    return depth


def _is_type_checking(test: ast.expr) -> bool:
    return _last(test) == "TYPE_CHECKING" and isinstance(
        test, (ast.Name, ast.Attribute)
    )


def _class_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """A class body's statements, through `if`/`try` blocks; of `if TYPE_CHECKING:` only
    the runtime (`else`) branch, since the mapper never sees the other."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            if not _is_type_checking(stmt.test):
                yield from _class_statements(stmt.body)
            yield from _class_statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (
                stmt.body,
                *(h.body for h in stmt.handlers),
                stmt.orelse,
                stmt.finalbody,
            ):
                yield from _class_statements(block)
        else:
            yield stmt


def _class_members(
    cls: ast.ClassDef,
) -> Iterator[tuple[str, ast.AST | None, ast.AST | None]]:
    """(attribute, annotation, value) for each attribute the class body defines,
    `@declared_attr` functions included (their return value and return annotation)."""
    for stmt in _class_statements(cls.body):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            yield stmt.target.id, stmt.annotation, stmt.value
        elif (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            yield stmt.targets[0].id, None, stmt.value
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
            _last(d) in _DECLARED_ATTR for d in stmt.decorator_list
        ):
            returned = next(
                (s.value for s in stmt.body if isinstance(s, ast.Return)), None
            )
            yield stmt.name, stmt.returns, returned


def _imperative_table(
    call: ast.Call, ctx: _Context
) -> tuple[str | None, list[ColumnFacts]]:
    name = _literal(call.args[0]) if call.args else None
    columns = []
    for arg in call.args[1:]:
        if isinstance(arg, ast.Call) and _last(arg) == "Column":
            column = _column_call(arg, "", ctx, classic=True)
            attr = _column_key(arg, column.name)
            if attr:
                columns.append(replace(column, attr=attr))
    return (name if isinstance(name, str) else None), columns


def _column_key(call: ast.Call, name: str | None) -> str | None:
    """The attribute a table's `Column(...)` is mapped to: its `key=` (`Column("group_id",
    ..., key="gid")` maps `gid`), else its name; None when `key=` is not a literal."""
    for keyword in call.keywords:
        if keyword.arg == "key":
            key = _literal(keyword.value)
            return key if isinstance(key, str) else None
    return name


def _mapped_class(facts: ClassFacts, mapping: Mapping, ctx: _Context) -> ClassFacts:
    """The class's facts as its imperative mapping makes them (`imperative_mappings`):
    the table's name and columns, the relationships of `properties=`."""
    name, columns = _imperative_table(mapping.table, ctx)
    if name is None or not columns:
        return facts
    relationships = tuple(
        _relationship_call(call, attr, None, ctx)
        for attr, call in mapping.relationships
    )
    # A class attribute named like a column (a property, a method) keeps it unmapped
    # (SQLAlchemy's `Mapper._should_exclude`).
    taken = {r.attr for r in relationships} | mapping.class_members
    return replace(
        facts,
        tablename=name,
        tablename_rule="literal",
        has_table=True,
        imperative=True,
        columns=tuple(c for c in columns if c.attr not in taken),
        relationships=relationships,
    )


def _class_facts(cls: ast.ClassDef, ctx: _Context) -> ClassFacts:
    columns: dict[str, ColumnFacts] = {}
    relationships: dict[str, RelationshipFacts] = {}
    table: dict[str, list] = {
        "unique_sets": [],
        "primary_key_names": [],
        "table_foreign_keys": [],
        "table_foreign_key_ondelete": [],
    }
    info: dict[str, object] = {}
    table_args: ast.AST | None = None
    for attr, annotation, value in _class_members(cls):
        if attr == "__tablename__":
            info["tablename"], info["tablename_rule"] = _tablename_rule(value)
            continue
        if attr == "__abstract__":
            info["abstract"] = _literal(value) is True if value is not None else False
            continue
        if attr == "__table_args__":
            info["defines_table_args"] = True
            table_args = value
            continue
        if attr == "__mapper_args__":
            info["version_id"] = _names_version_id(value)
            continue
        if attr == "query_class" and value is not None:
            _query_class(cls, value, ctx, info)
            continue
        if attr == "__table__":
            info["has_table"] = True
            if isinstance(value, ast.Call) and _last(value) == "Table":
                table_name, table_columns = _imperative_table(value, ctx)
                info["tablename"], info["tablename_rule"] = (
                    table_name,
                    "literal" if table_name else "unknown",
                )
                columns.update((c.attr, c) for c in table_columns)
            continue
        if attr.startswith("__") and attr.endswith("__"):
            continue
        ann = _annotation(annotation, ctx) if annotation is not None else None
        if ann is not None and ann.classvar:
            continue
        call = value if isinstance(value, ast.Call) else None
        if (
            call is not None
            and _last(call) in _WRAPPERS
            and call.args
            and isinstance(call.args[0], ast.Call)
        ):
            call = call.args[0]  # deferred(Column(...))
        kind = _last(call) if call is not None else None
        if kind in _COLUMN_CALLS:
            column = _column_call(call, attr, ctx, classic=kind == "Column")  # type: ignore[arg-type]
            columns[attr] = (
                _column_from_annotation(attr, ann, column)
                if ann and ann.wrapper
                else column
            )
        elif kind in _RELATIONSHIP_CALLS or kind == "Relationship":
            relationships[attr] = _relationship_call(call, attr, ann, ctx)  # type: ignore[arg-type]
        elif ann is not None and ann.wrapper == "Mapped" and value is None:
            columns[attr] = _column_from_annotation(attr, ann, None)
        elif ann is not None and ann.wrapper is None:
            # A plain field: a column only if the class turns out to be a SQLModel table.
            base = (
                _column_call(call, attr, ctx, classic=False)
                if kind == "Field"
                else None
            )  # type: ignore[arg-type]
            columns[attr] = _column_from_annotation(attr, ann, base, sqlmodel=True)
    if table_args is not None:
        _table_args(table_args, columns, table)
    keywords = {k.arg: k.value for k in cls.keywords if k.arg}
    decorators = []
    for decorator in cls.decorator_list:
        dotted = ast_dotted_name(
            decorator.func if isinstance(decorator, ast.Call) else decorator
        )
        if dotted:
            decorators.append(ctx.qualify(dotted))
    bases = []
    for base in cls.bases:
        if isinstance(base, ast.Subscript):  # Generic[T], SomeBase[X]
            base = base.value
        dotted = ast_dotted_name(base)
        if dotted:
            bases.append(ctx.qualify(dotted))
    info["methods"] = _own_methods(cls)
    info["validated"] = _validated(cls)
    info["method_effects"] = _method_effects(cls)
    return ClassFacts(
        qualname=f"{ctx.module}.{cls.name}",
        name=cls.name,
        module=ctx.module,
        bases=tuple(bases),
        decorators=tuple(decorators),
        table_keyword=_flag(keywords["table"]) is True
        if "table" in keywords
        else False,
        columns=tuple(columns.values()),
        relationships=tuple(relationships.values()),
        unique_sets=tuple(table["unique_sets"]),
        primary_key_names=tuple(table["primary_key_names"]),
        table_foreign_keys=tuple(table["table_foreign_keys"]),
        table_foreign_key_ondelete=tuple(table["table_foreign_key_ondelete"]),
        **info,  # type: ignore[arg-type]
    )


def _own_methods(cls: ast.ClassDef) -> tuple[str, ...]:
    return tuple(
        stmt.name
        for stmt in _class_statements(cls.body)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _validated(cls: ast.ClassDef) -> tuple[str, ...]:
    """The attributes named by `@validates("a", "b")` on the class body's methods."""
    found: list[str] = []
    for stmt in _class_statements(cls.body):
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in stmt.decorator_list:
            if _last(decorator) != "validates":
                continue
            if (
                not isinstance(decorator, ast.Call)
                or decorator.keywords
                and any(k.arg is None for k in decorator.keywords)
            ):
                found.append("?")
                continue
            for arg in decorator.args:
                literal = _literal(arg)
                found.append(literal if isinstance(literal, str) else "?")
    return tuple(dict.fromkeys(found))


_SESSION_RECEIVER = re.compile(r"session|conn|\bdb\b", re.IGNORECASE)
_SESSION_WRITES = {
    "add",
    "add_all",
    "delete",
    "merge",
    "bulk_save_objects",
    "bulk_insert_mappings",
    "bulk_update_mappings",
}
_STATEMENT_WRITES = {"insert", "update", "delete"}


def _method_effects(cls: ast.ClassDef) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """What each method does to the database itself (`db.session.commit()`: commits), and
    which methods it calls (`create` calls `save`), for the index to follow."""
    found = []
    for stmt in _class_statements(cls.body):
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        effect, called = "", set()
        for node in _method_calls(stmt):
            method = node.func.attr
            called.add(method)
            if method == "commit":
                effect = "commits"
            elif method == "flush" and effect != "commits":
                effect = "flushes"
            elif (
                not effect
                and (
                    method in _SESSION_WRITES
                    or (
                        method == "execute"
                        and node.args
                        and _writes_statement(node.args[0])
                    )
                )
                # Rendered only here: unparsing every call's receiver was most of the
                # cost of surveying a module of models.
                and _SESSION_RECEIVER.search(ast.unparse(node.func.value))
            ):
                effect = "writes"
        if effect or called:
            found.append((stmt.name, effect, tuple(sorted(called))))
    return tuple(found)


def _method_calls(function: ast.AST) -> list[ast.Call]:
    """The `x.method(...)` calls inside `function` (every method of every class is read:
    off the survey's node index when it holds the function, else a walk with
    `child_nodes`). In no particular order: `_method_effects` ranks what it finds."""
    calls = indexed_within(function, ast.Call)
    if calls is not None:
        return [call for call in calls if isinstance(call.func, ast.Attribute)]
    found = []
    queue = deque([function])
    while queue:
        node = queue.popleft()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found.append(node)
        queue.extend(child_nodes(node))
    return found


def _writes_statement(node: ast.AST) -> bool:
    while isinstance(node, ast.Call):
        name = (
            _last(node.func)
            if isinstance(node.func, (ast.Name, ast.Attribute))
            else None
        )
        if name in _STATEMENT_WRITES:
            return True
        node = node.func.value if isinstance(node.func, ast.Attribute) else None
    return False


def _class_bases(cls: ast.ClassDef, ctx: _Context) -> tuple[str, ...]:
    bases = []
    for base in cls.bases:
        if isinstance(base, ast.Subscript):
            base = base.value
        dotted = ast_dotted_name(base)
        if dotted:
            bases.append(ctx.qualify(dotted))
    return tuple(bases)


def _query_class(
    cls: ast.ClassDef, value: ast.AST, ctx: _Context, info: dict[str, object]
) -> None:
    """`query_class = PersonQuery`: the class, nested in the model's body or not."""
    dotted = ast_dotted_name(value)
    if dotted is None:
        info["query_class"] = "?"
        return
    nested = next(
        (
            s
            for s in _class_statements(cls.body)
            if isinstance(s, ast.ClassDef) and s.name == dotted.rpartition(".")[2]
        ),
        None,
    )
    if nested is not None and dotted in (nested.name, f"{cls.name}.{nested.name}"):
        info["query_class"] = f"{ctx.module}.{cls.name}.{nested.name}"
        info["query_class_methods"] = _own_methods(nested)
        info["query_class_bases"] = _class_bases(nested, ctx)
        return
    info["query_class"] = ctx.qualify(dotted)


def module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, through `if`/`try`/`with` blocks (not functions or classes)."""
    for stmt in body:
        yield stmt
        if (
            isinstance(stmt, (ast.If, ast.Try, ast.With))
            or type(stmt).__name__ == "TryStar"
        ):
            for field in ("body", "orelse", "finalbody"):
                yield from module_statements(getattr(stmt, field, None) or [])
            for handler in getattr(stmt, "handlers", ()) or ():
                yield from module_statements(handler.body)


def _mixins(call: ast.Call, keyword: str, ctx: _Context) -> tuple[str, ...]:
    for kw in call.keywords:
        if kw.arg == keyword:
            values = kw.value.elts if isinstance(kw.value, ast.Tuple) else [kw.value]
            return tuple(ctx.qualify(d) for d in map(ast_dotted_name, values) if d)
    return ()


def _session_query_class(value: ast.AST, ctx: _Context) -> str | None:
    """X of `...(query_cls=X)` / `...(query_class=X)`, also one call down
    (`scoped_session(sessionmaker(query_cls=X))`)."""
    for call in (value, *(value.args if isinstance(value, ast.Call) else ())):
        if not isinstance(call, ast.Call):
            continue
        for keyword in call.keywords:
            if keyword.arg in ("query_cls", "query_class"):
                dotted = ast_dotted_name(keyword.value)
                return ctx.qualify(dotted) if dotted else "?"
    return None


def _assignment_facts(
    name: str, value: ast.AST, ctx: _Context
) -> AliasFacts | str | None:
    """An AliasFacts, a qualified name the module re-binds `name` to, or None."""
    qualname = f"{ctx.module}.{name}"
    if isinstance(value, ast.Call):
        kind = _last(value)
        if kind in ("declarative_base", "generate_base"):
            return AliasFacts(qualname, "declarative_base", _mixins(value, "cls", ctx))
        if kind == "SQLAlchemy":
            return AliasFacts(qualname, "flask_db", _mixins(value, "model_class", ctx))
        if kind == "registry":
            return AliasFacts(qualname, "registry")
        return None
    if (
        isinstance(value, ast.Subscript)
        and _last(value.value) in ("Annotated", "Optional", "Union")
        or (isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitOr))
    ):
        described = _describe(value, ctx)
        spec = described.spec or ColumnFacts(attr="")
        column = replace(
            spec,
            python_type=described.type_name,
            optional=described.optional,
            type_ref=described.type_ref,
            uncertain=spec.uncertain or described.unknown,
        )
        return AliasFacts(qualname, "column_type", column=column)
    dotted = ast_dotted_name(value)
    return ctx.qualify(dotted) if dotted else None


def extract_models(
    tree: ast.Module, module_name: str, is_package: bool = False
) -> list[ModelFacts]:
    """Facts about every module-level class and model-related object in one module.

    Every class is reported (whether it is a model, a mixin or a base is only known
    across modules); `ModelIndex.from_facts` sorts them out. `is_package` says whether
    the module is a package's `__init__` (for relative imports).
    """
    names = import_map(tree, module_name, is_package)
    ctx = _Context(module_name, names)
    facts: list[ModelFacts] = []
    for stmt in module_statements(tree.body):
        if isinstance(stmt, ast.ClassDef):
            facts.append(_class_facts(stmt, ctx))
            names.pop(stmt.name, None)
            handed_out = property_names(stmt, ctx.qualify)
            if handed_out:
                facts.append(ModuleFacts(f"{module_name}.{stmt.name}", handed_out))
            continue
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            target, value = stmt.targets[0].id, stmt.value
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.value is not None
        ):
            target, value = stmt.target.id, stmt.value
        elif type(stmt).__name__ == "TypeAlias":  # `type X = ...` (3.12+)
            target, value = stmt.name.id, stmt.value  # type: ignore[attr-defined]
        else:
            continue
        query_class = _session_query_class(value, ctx)
        if query_class is not None:
            facts.append(
                SessionQueryFacts(f"{module_name}.{target}", query_class, module_name)
            )
        result = _assignment_facts(target, value, ctx)
        if isinstance(result, AliasFacts):
            facts.append(result)
            names.pop(target, None)
        elif isinstance(result, str) and result != f"{module_name}.{target}":
            names[target] = result
        else:
            names.pop(target, None)
    facts.extend(_listeners(tree, ctx))
    mappings = imperative_mappings(module_statements(tree.body))
    if mappings:
        facts = [
            _mapped_class(fact, mappings[fact.name], ctx)
            if isinstance(fact, ClassFacts) and fact.name in mappings
            else fact
            for fact in facts
        ]
    if names:
        facts.append(ModuleFacts(module_name, tuple(sorted(names.items()))))
    return facts
