"""The project-wide index of ORM models: tables, columns, keys, nullability, relationships.

Built in two steps so that the expensive one can run in worker processes:

1. `extract_models(tree, module_name)` (see `n1fix.orm.model_facts`) reads one module with
   the stdlib `ast` and returns picklable facts about its classes;
2. `ModelIndex.from_facts(facts)` joins the facts of all modules: it works out which
   classes are mapped (through declarative bases declared anywhere in the project), merges
   what mixins, abstract classes and parent models contribute, and resolves relationship
   targets, foreign keys and directions.

Recognised spellings: SQLAlchemy 2.0 declarative (`DeclarativeBase`,
`DeclarativeBaseNoMeta`, `declarative_base()`, `declarative_base(cls=...)`,
`registry().generate_base()`, `@as_declarative()`, `@registry.mapped`), `Mapped[...]`
annotations with or without `mapped_column()` (and `Annotated[...]` column types), classic
`Column(...)`, `__tablename__` (also `@declared_attr` returning `cls.__name__[.lower()]`),
`__table_args__` constraints, `relationship()`/`backref()`, Flask-SQLAlchemy
(`db.Model`, `db.Column`, generated table names) and SQLModel (`table=True`, `Field`,
`Relationship`). Imperative `Table(...)` objects, `mapper()`/`map_imperatively` mappings
are out of scope; Django models are read by `n1fix.orm.django_models`.

Uncertain facts are recorded on the safe side: a column whose nullability cannot be read
is nullable, a uniqueness that cannot be shown is not unique, a relationship direction
that cannot be inferred is None.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from n1fix.orm.django_facts import DjangoModel
from n1fix.orm.imports import STAR_PREFIX, module_name_for, parse_file
from n1fix.orm.normalised_values import NormalisedValueFacts
from n1fix.orm.model_facts import (
    REF_PREFIX,
    AliasFacts,
    ClassFacts,
    ColumnFacts,
    ListenerFacts,
    ModelFacts,
    ModuleFacts,
    RelationshipFacts,
    SessionQueryFacts,
    extract_models,
)

__all__ = [
    "ColumnInfo",
    "ModelFacts",
    "ModelIndex",
    "ModelInfo",
    "RelationshipInfo",
    "extract_file",
    "extract_models",
]

MANY_TO_ONE = "many_to_one"
ONE_TO_MANY = "one_to_many"
MANY_TO_MANY = "many_to_many"
_LIBRARIES = {"sqlalchemy", "sqlmodel", "flask_sqlalchemy"}
# Declarative bases that third-party frameworks ship ready-made (their source is not in
# the scanned tree): Flask-AppBuilder's `Model`, the base of Superset's and Airflow's
# older models.
# Bases that define no `__init__` a model would inherit.
_PLAIN_BASES = {"object", "abc.ABC", "typing.Generic", "Generic", "ABC"}
_EXTERNAL_MODEL_BASES = {"flask_appbuilder.Model", "flask_appbuilder.models.sqla.Model"}
_REVERSE = {
    MANY_TO_ONE: ONE_TO_MANY,
    ONE_TO_MANY: MANY_TO_ONE,
    MANY_TO_MANY: MANY_TO_MANY,
}


@dataclass(frozen=True)
class ColumnInfo:
    attr: str  # the mapped attribute (`Render.project_id`)
    name: str  # the database column name
    type: str | None  # `Integer`, `String`, or the annotated Python type (`int`)
    primary_key: bool
    unique: bool  # unique=True on the column itself
    nullable: bool  # True when unknown
    index: bool
    foreign_key: str | None  # "table.column" (or as written when unresolvable)
    # The SQL type's arguments as written, and its `collation=` ("?": unreadable).
    type_args: str | None = None
    collation: str | None = None
    # The `Mapped[...]` annotation's Python type (`str`), beside a SQL type n1fix may
    # not know (`mapped_column(StringID())`).
    python_type: str | None = None
    # The foreign key's ON DELETE as written, upper-cased ("CASCADE"); "?": unreadable.
    ondelete: str | None = None


@dataclass(frozen=True)
class RelationshipInfo:
    attr: str
    target: str | None  # qualified class name when resolvable, else the raw string
    lazy: str = "select"  # "unknown" when not a literal
    uselist: bool | None = None  # None when it cannot be told
    back_populates: str | None = None  # the partner attribute (also from backref=)
    secondary: bool = False
    foreign_key_attrs: tuple[
        str, ...
    ] = ()  # on this model for many_to_one, else on target
    direction: str | None = None  # many_to_one / one_to_many / many_to_many / None
    viewonly: bool = False
    from_backref: bool = False  # created on the target by the partner's backref=
    cascade: str | None = (
        None  # as written ("all, delete-orphan"); "?" when not a literal
    )
    passive_deletes: bool | str = False
    primaryjoin: bool = (
        False  # a custom join condition (it may hold more than the foreign key)
    )
    # The name a query's lookups follow it by, when not `attr` (Django's reverse
    # relations: `related_query_name`, else `related_name`, else the model's name);
    # "?" when it cannot be read.
    query_name: str | None = None


@dataclass(frozen=True)
class ModelInfo:
    qualname: str
    name: str
    module: str
    table: str | None
    columns: dict[str, ColumnInfo]
    relationships: dict[str, RelationshipInfo]
    bases: tuple[str, ...]
    unique_sets: tuple[
        tuple[str, ...], ...
    ] = ()  # attr sets unique together (table args)
    inherits: str | None = (
        None  # the mapped parent model (single/joined table inheritance)
    )
    version_id: bool = (
        False  # a `version_id_col` in `__mapper_args__` (here or inherited)
    )
    # ORM event registrations that target the class (or an attribute, a base, every
    # mapper): (event name, "module:line"); bulk statements skip per-row events.
    listeners: tuple[tuple[str, str], ...] = ()
    # A custom Flask-SQLAlchemy `query_class` (here or inherited), and the methods it and
    # its project bases define (None: they cannot be read). `Model.query.get(...)` then
    # means what the project wrote, not what SQLAlchemy's Query does.
    query_class: str | None = None
    query_overrides: frozenset[str] | None = None
    # A Flask-SQLAlchemy model (`db.Model` or below it): the class has `query`.
    flask: bool = False
    # Methods (its own or inherited from a base or mixin) that commit, flush or write,
    # directly or through another method: (name, "commits" / "flushes" / "writes",
    # the class that defines the method). `render.save()` in a loop is then a commit.
    writing_methods: tuple[tuple[str, str, str], ...] = ()
    # The class whose `__init__` builds an instance (its own, a base's or a mixin's), "?"
    # when a base is a class n1fix cannot read; None: the ORM's own constructor, which
    # sets each keyword argument as the attribute of that name.
    constructor: str | None = None
    # A Django model's own facts (ordering, managers, overrides, receivers), which only
    # the Django dialect reads; None for other ORMs' models.
    django: DjangoModel | None = None
    # Attributes a `@validates` method (its own or inherited) rewrites; "?": unreadable.
    validated: tuple[str, ...] = ()

    def writing_method(self, name: str) -> tuple[str, str] | None:
        """(what it does, the defining class) when the method `name` writes."""
        return next(
            (
                (what, owner)
                for method, what, owner in self.writing_methods
                if method == name
            ),
            None,
        )

    def __hash__(self) -> int:
        return hash(self.qualname)

    @property
    def primary_key(self) -> tuple[str, ...]:
        return tuple(
            attr for attr, column in self.columns.items() if column.primary_key
        )

    def column(self, attr: str) -> ColumnInfo | None:
        return self.columns.get(attr)

    def column_by_name(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns.values() if c.name == name), None)

    def relationship(self, attr: str) -> RelationshipInfo | None:
        return self.relationships.get(attr)

    def is_unique(self, attr: str) -> bool:
        """One row at most per value: the whole primary key, unique=True, or a
        single-column unique constraint/index."""
        column = self.columns.get(attr)
        if column is None:
            return False
        return (
            self.primary_key == (attr,) or column.unique or (attr,) in self.unique_sets
        )

    def is_unique_together(self, attrs: Iterable[str]) -> bool:
        """Whether these attributes together (or a subset of them) identify one row."""
        wanted = set(attrs)
        if any(self.is_unique(attr) for attr in wanted):
            return True
        pk = set(self.primary_key)
        return (
            bool(pk) and pk <= wanted or any(set(s) <= wanted for s in self.unique_sets)
        )


class ModelIndex:
    """Every model of a project, keyed by qualified class name (`app.models.Render`)."""

    def __init__(
        self,
        models: dict[str, ModelInfo],
        aliases: dict[str, str] | None = None,
        session_query_classes: dict[str, frozenset[str] | None] | None = None,
        session_listeners: tuple[tuple[str, str], ...] = (),
        normalised_values: tuple[NormalisedValueFacts, ...] = (),
    ) -> None:
        self.models = models
        # (event, where) of the project's Session event listeners (`before_flush` on
        # `db.session`, a `sessionmaker`, `Session`): they run on every flush of any
        # model, whatever a model's own listeners are.
        self.session_listeners = session_listeners
        # Where the project normalises the values it stores in or compares with a
        # column (`n1fix.orm.normalised_values`).
        self.normalised_values = normalised_values
        # Query classes of the project that sessions are built with (`query_cls=`), and
        # the methods each defines (None: unreadable): `session.query(...)` may be one.
        self.session_query_classes = session_query_classes or {}
        # Other qualified names of models: re-exports (`app.models.Render` for
        # `app.models.render.Render`), star imports, `X = Render`.
        self.aliases = aliases or {}
        self._by_table: dict[str, str] | None = None
        self._by_last: dict[str, list[str]] | None = None
        self._relationship_names: frozenset[str] | None = None
        self._django_model_names: frozenset[str] | None = None

    def __getstate__(self) -> dict[str, object]:
        return {
            "models": self.models,
            "aliases": self.aliases,
            "session_query_classes": self.session_query_classes,
            "session_listeners": self.session_listeners,
            "normalised_values": self.normalised_values,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(
            state["models"],
            state["aliases"],
            state.get("session_query_classes"),
            state.get("session_listeners", ()),
            state.get("normalised_values", ()),
        )  # type: ignore[misc, arg-type]

    def __len__(self) -> int:
        return len(self.models)

    def __contains__(self, qualname: object) -> bool:
        return qualname in self.models

    def normalised_sites(
        self, qualname: str, attr: str
    ) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
        """(path, line, methods) of every site where the project normalises a value it
        stores in or compares with `attr` of the model `qualname`: a site of that model,
        or of an object the code does not show to be another model."""
        sites = []
        for fact in self.normalised_values:
            if fact.attr != attr:
                continue
            model = self.get(fact.model) if fact.model else None
            if model is None and fact.model:
                model = self._by_suffix(fact.model, fact.model)
            if model is None and fact.exact:
                # A class the code names (`x: Form`, `Form(...)`) is no model unless
                # a model of the index has its name.
                if not fact.model or not self._named(
                    fact.model.rsplit(".", 1)[-1], qualname
                ):
                    continue
            elif model is not None and model.qualname != qualname:
                continue
            sites.append((fact.path, fact.line, fact.methods))
        return tuple(sorted(set(sites)))

    def get(self, qualname: str) -> ModelInfo | None:
        """The model of a qualified name, or of one of its aliases."""
        found = self.models.get(qualname)
        if found is None and qualname in self.aliases:
            found = self.models.get(self.aliases[qualname])
        return found

    def has_writing_methods(self) -> bool:
        """Does some model have a method that commits, flushes or writes?"""
        return any(model.writing_methods for model in self.models.values())

    def writing_method_owners(self, name: str) -> list[tuple[str, str]]:
        """(what it does, the defining class) of every model's writing method `name`, sorted."""
        return sorted(
            {
                found
                for model in self.models.values()
                if (found := model.writing_method(name))
            }
        )

    def django_model_names(self) -> frozenset[str]:
        """The class name of every Django model of the project, and the other names
        modules bind them to (`UserModel = get_user_model()`)."""
        if self._django_model_names is None:
            names = {m.name for m in self.models.values() if m.django is not None}
            for alias, target in self.aliases.items():
                model = self.models.get(target)
                if model is not None and model.django is not None:
                    names.add(alias.rsplit(".", 1)[-1])
            self._django_model_names = frozenset(names)
        return self._django_model_names

    def relationship_names(self) -> frozenset[str]:
        """The attribute name of every relationship of every model (backrefs included)."""
        if self._relationship_names is None:
            self._relationship_names = frozenset(
                name for model in self.models.values() for name in model.relationships
            )
        return self._relationship_names

    def by_name(self, name: str) -> list[ModelInfo]:
        return [m for m in self.models.values() if m.name == name]

    def by_table(self, table: str) -> ModelInfo | None:
        """The model mapped to `table` (for single-table inheritance, the base model)."""
        if self._by_table is None:
            by_table: dict[str, str] = {}
            for model in sorted(
                self.models.values(), key=lambda m: m.inherits is not None
            ):
                if model.table is not None:
                    by_table.setdefault(model.table, model.qualname)
            self._by_table = by_table
        qualname = self._by_table.get(table)
        if qualname is None and "." in table:  # schema-qualified
            qualname = self._by_table.get(table.rsplit(".", 1)[1])
        return self.models.get(qualname) if qualname else None

    def resolve(
        self, local_name: str, imports: dict[str, str], module_name: str
    ) -> ModelInfo | None:
        """The model a name used in `module_name` stands for: `Render` defined there or
        imported (`imports` as from `import_map`), dotted `models.Render` through an
        imported module, or a name brought in by `from m import *`."""
        first, dot, rest = local_name.partition(".")
        candidates = []
        if first in imports:
            candidates.append(imports[first] + dot + rest)
        candidates.append(f"{module_name}.{local_name}")
        candidates.extend(
            f"{target}.{local_name}"
            for key, target in imports.items()
            if key.startswith(STAR_PREFIX)
        )
        for candidate in candidates:
            found = self.get(candidate)
            if found is not None:
                return found
        if first in imports:
            return self._by_suffix(candidates[0], module_name)
        return None

    def _named(self, name: str, qualname: str) -> bool:
        """Is `qualname`, or one of its aliases, a model called `name`?"""
        model = self.models.get(qualname)
        return any(
            self.get(found) is model for found in self._last_names().get(name, ())
        )

    def _last_names(self) -> dict[str, list[str]]:
        """Every model's qualified names and aliases, by their last part."""
        if self._by_last is None:
            by_last: dict[str, list[str]] = defaultdict(list)
            for name in (*self.models, *self.aliases):
                by_last[name.rsplit(".", 1)[-1]].append(name)
            self._by_last = dict(by_last)
        return self._by_last

    def _by_suffix(self, qualified: str, near: str) -> ModelInfo | None:
        """`renderapp.models.Render` for `golden.renderapp.models.Render`: the same module
        seen from a directory below the project root (nearest one when ambiguous)."""
        suffix = "." + qualified
        found = _nearest(
            [
                n
                for n in self._last_names().get(qualified.rsplit(".", 1)[-1], ())
                if n.endswith(suffix)
            ],
            near,
        )
        return self.get(found) if found else None

    def fingerprint(self) -> str:
        """A stable hash of everything in the index (for result caches)."""
        digest = hashlib.sha256()
        for qualname in sorted(self.models):
            digest.update(
                _stable_repr(self.models[qualname]).encode("utf-8", "surrogateescape")
            )
        for alias in sorted(self.aliases):
            digest.update(
                f"{alias}={self.aliases[alias]}".encode("utf-8", "surrogateescape")
            )
        for fact in sorted(self.normalised_values, key=_stable_repr):
            digest.update(_stable_repr(fact).encode("utf-8", "surrogateescape"))
        for query_class in sorted(self.session_query_classes):
            digest.update(
                f"{query_class}:{_stable_repr(self.session_query_classes[query_class])}".encode(
                    "utf-8", "surrogateescape"
                )
            )
        for event, where in self.session_listeners:
            digest.update(f"session:{event}@{where}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    @classmethod
    def from_facts(cls, facts: Iterable[ModelFacts]) -> ModelIndex:
        """Join the per-module facts of a whole project into one index."""
        return _Builder(facts).build()

    @classmethod
    def build(cls, files: Sequence[Path], root: Path) -> ModelIndex:
        """Extract and join in this process (the engine may extract in workers instead)."""
        facts: list[ModelFacts] = []
        for path in files:
            facts.extend(extract_file(path, root))
        return cls.from_facts(facts)


def extract_file(path: Path, root: Path) -> list[ModelFacts]:
    """`extract_models` for a file: read, parse and name it; [] when it cannot be parsed."""
    tree = parse_file(path)
    if tree is None:
        return []
    is_package = Path(path).name in ("__init__.py", "__init__.pyi")
    return extract_models(tree, module_name_for(Path(path), root), is_package)


def _common_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("."), b.split(".")):
        if x != y:
            break
        count += 1
    return count


def _nearest(candidates: Sequence[str], near: str) -> str | None:
    """The one candidate sharing the longest module prefix with `near`, if unique."""
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    scored = sorted(((_common_prefix(c, near), c) for c in candidates), reverse=True)
    if scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _snake_case(name: str) -> str:
    """Flask-SQLAlchemy 3's generated table name (`camel_to_snake_case`)."""
    name = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return name.lower().lstrip("_")


def _fk_table(foreign_key: str | None) -> str | None:
    if not foreign_key or "." not in foreign_key or foreign_key.startswith(REF_PREFIX):
        return None
    return foreign_key.rsplit(".", 1)[0]


def _same_table(fk_table: str | None, table: str | None) -> bool:
    if fk_table is None or table is None:
        return False
    return (
        fk_table == table
        or fk_table.endswith("." + table)
        or table.endswith("." + fk_table)
    )


class _Symbols:
    """Follows imports and re-exports to the definition of a qualified name."""

    def __init__(
        self, known: Iterable[str], modules: dict[str, dict[str, str]]
    ) -> None:
        self.known = set(known)
        self.modules = modules
        self._by_last: dict[str, list[str]] = defaultdict(list)
        for name in self.known:
            self._by_last[name.rsplit(".", 1)[-1]].append(name)
        self._modules_by_last: dict[str, list[str]] = defaultdict(list)
        for module in modules:
            self._modules_by_last[module.rsplit(".", 1)[-1]].append(module)
        self._memo: dict[tuple[str, str], str] = {}

    def canonical(self, qualified: str, near: str) -> str:
        """The known definition `qualified` leads to, else its last rewritten spelling."""
        key = (qualified, near)
        if key not in self._memo:
            self._memo[key] = self._canonical(qualified, near)
        return self._memo[key]

    def _canonical(self, qualified: str, near: str) -> str:
        seen: list[str] = []
        frontier = [qualified]
        while frontier and len(seen) < 64:
            current = frontier.pop(0)
            if current in seen:
                continue
            seen.append(current)
            if current in self.known:
                return current
            frontier.extend(self._steps(current, near))
        for spelling in seen:
            suffix = "." + spelling
            match = _nearest(
                [
                    n
                    for n in self._by_last.get(spelling.rsplit(".", 1)[-1], ())
                    if n.endswith(suffix)
                ],
                near,
            )
            if match:
                return match
        spelling = (
            qualified  # not defined in the project: follow plain re-bindings only
        )
        for _ in range(32):
            steps = self._steps(spelling, near)
            if len(steps) != 1 or steps[0] == spelling:
                break
            spelling = steps[0]
        return spelling

    def _steps(self, qualified: str, near: str) -> list[str]:
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            names = self.modules.get(module)
            if names is None:
                matches = [
                    m
                    for m in self._modules_by_last.get(parts[cut - 1], ())
                    if m.endswith("." + module)
                ]
                found = _nearest(matches, near)
                names = self.modules.get(found) if found else None
            if names is None:
                continue
            head, rest = parts[cut], parts[cut + 1 :]
            tail = "".join("." + r for r in rest)
            if head in names:
                return [names[head] + tail]
            return [
                f"{star}.{head}{tail}"
                for key, star in names.items()
                if key.startswith(STAR_PREFIX)
            ]
        return []


@dataclass
class _Lineage:
    kind: str  # base | mapped | sqlmodel | plain
    flask: bool = False
    parent_model: str | None = None
    bases: tuple[str, ...] = ()
    sources: tuple[tuple[str, ...], ...] = ()  # per base: classes contributing members


@dataclass
class _Draft:
    facts: ClassFacts
    lineage: _Lineage
    table: str | None = None
    columns: dict[str, ColumnInfo] = field(default_factory=dict)
    unique_sets: list[tuple[str, ...]] = field(default_factory=list)
    relationships: dict[str, RelationshipInfo] = field(default_factory=dict)


class _Builder:
    def __init__(self, facts: Iterable[ModelFacts]) -> None:
        self.classes: dict[str, ClassFacts] = {}
        self.aliases: dict[str, AliasFacts] = {}
        self.modules: dict[str, dict[str, str]] = {}
        self.listeners: list[ListenerFacts] = []
        self.session_queries: list[SessionQueryFacts] = []
        self.normalised_values: list[NormalisedValueFacts] = []
        for fact in facts:
            if isinstance(fact, NormalisedValueFacts):
                self.normalised_values.append(fact)
            elif isinstance(fact, ListenerFacts):
                self.listeners.append(fact)
            elif isinstance(fact, ClassFacts):
                self.classes[fact.qualname] = fact
            elif isinstance(fact, AliasFacts):
                self.aliases[fact.qualname] = fact
            elif isinstance(fact, ModuleFacts):
                self.modules[fact.module] = dict(fact.names)
            elif isinstance(fact, SessionQueryFacts):
                self.session_queries.append(fact)
        self.symbols = _Symbols([*self.classes, *self.aliases], self.modules)
        self._lineage: dict[str, _Lineage] = {}
        self._members: dict[
            str, tuple[dict[str, ColumnFacts], dict[str, RelationshipFacts]]
        ] = {}
        self.drafts: dict[str, _Draft] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)

    # -- which classes are models -------------------------------------------------------

    def _base_target(self, base: str, module: str) -> tuple[str, str | None]:
        target = self.symbols.canonical(base, module)
        library = (
            base.split(".", 1)[0] in _LIBRARIES or target.split(".", 1)[0] in _LIBRARIES
        )
        if library:  # even when the library's own source is part of the scanned tree
            last = target.rsplit(".", 1)[-1]
            if last in ("DeclarativeBase", "DeclarativeBaseNoMeta"):
                return "sa_base", None
            if last == "SQLModel":
                return "sqlmodel", None
        if target in _EXTERNAL_MODEL_BASES:
            return "flask", None
        if target in self.classes:
            return "class", target
        alias = self.aliases.get(target)
        if alias is not None and alias.kind == "declarative_base":
            return "declarative", target
        owner, _, last = target.rpartition(".")
        if last == "Model" and owner:
            owner_alias = self.aliases.get(self.symbols.canonical(owner, module))
            if owner_alias is not None and owner_alias.kind == "flask_db":
                return "flask", owner_alias.qualname
            if owner.rsplit(".", 1)[-1] == "db":
                return "flask", None
        if last in ("DeclarativeBase", "DeclarativeBaseNoMeta"):
            return "sa_base", None
        if last == "SQLModel":
            return "sqlmodel", None
        return "other", target

    def lineage(self, qualname: str) -> _Lineage:
        if qualname in self._lineage:
            return self._lineage[qualname]
        self._lineage[qualname] = _Lineage("plain")  # cycle guard
        facts = self.classes[qualname]
        decorators = {d.rsplit(".", 1)[-1] for d in facts.decorators}
        mapped = (
            bool(decorators & {"mapped", "mapped_as_dataclass"}) or facts.imperative
        )
        is_base = bool(decorators & {"as_declarative", "as_declarative_base"})
        sqlmodel = flask = False
        parent_model = None
        bases: list[str] = []
        sources: list[tuple[str, ...]] = []
        for base in facts.bases:
            kind, target = self._base_target(base, facts.module)
            bases.append(self.symbols.canonical(base, facts.module))
            contributing: tuple[str, ...] = ()
            if kind == "class" and target is not None:
                parent = self.lineage(target)
                mapped |= parent.kind in ("base", "mapped")
                sqlmodel |= parent.kind == "sqlmodel"
                flask |= parent.flask
                if parent_model is None and self.is_model(target):
                    parent_model = target
                contributing = (target,)
            elif kind in ("declarative", "flask"):
                mapped = True
                flask |= kind == "flask"
                if target is not None:
                    contributing = tuple(
                        m
                        for m in (
                            self.symbols.canonical(x, facts.module)
                            for x in self.aliases[target].mixins
                        )
                        if m in self.classes
                    )
            elif kind == "sa_base":
                is_base = True
            elif kind == "sqlmodel":
                sqlmodel = True
            sources.append(contributing)
        if not (is_base or mapped or sqlmodel) and self._looks_mapped(facts, bases):
            mapped = True
        kind = (
            "base"
            if is_base
            else "mapped"
            if mapped
            else "sqlmodel"
            if sqlmodel
            else "plain"
        )
        result = _Lineage(kind, flask, parent_model, tuple(bases), tuple(sources))
        self._lineage[qualname] = result
        return result

    def _looks_mapped(self, facts: ClassFacts, bases: list[str]) -> bool:
        """A class on a base from outside the project (a framework's `Model`, another
        package's mixin) that declares its own table name and primary key is mapped."""
        external = any(
            base not in self.classes and base not in self.aliases for base in bases
        )
        has_pk = any(column.primary_key for column in facts.columns) or bool(
            facts.primary_key_names
        )
        return external and facts.tablename_rule == "literal" and has_pk

    def is_model(self, qualname: str) -> bool:
        facts = self.classes[qualname]
        kind = self.lineage(qualname).kind
        return (
            kind == "mapped"
            and not facts.abstract
            or kind == "sqlmodel"
            and facts.table_keyword
        )

    # -- what a class contributes -----------------------------------------------------

    def members(
        self, qualname: str
    ) -> tuple[dict[str, ColumnFacts], dict[str, RelationshipFacts]]:
        """Columns and relationships of a class and everything it inherits (MRO-like:
        left bases win over right ones, the class itself over all)."""
        if qualname in self._members:
            return self._members[qualname]
        self._members[qualname] = ({}, {})  # cycle guard
        columns: dict[str, ColumnFacts] = {}
        relationships: dict[str, RelationshipFacts] = {}
        for contributing in reversed(self.lineage(qualname).sources):
            for source in reversed(contributing):
                inherited_columns, inherited_relationships = self.members(source)
                columns.update(inherited_columns)
                relationships.update(inherited_relationships)
        facts = self.classes[qualname]
        columns.update((c.attr, c) for c in facts.columns)
        relationships.update((r.attr, r) for r in facts.relationships)
        self._members[qualname] = (columns, relationships)
        return columns, relationships

    def _nearest_definer(
        self, qualname: str, has: str, skip_models: bool
    ) -> ClassFacts | None:
        """The class whose `has` attribute Python's lookup would find (depth-first)."""
        facts = self.classes[qualname]
        if getattr(facts, has):
            return facts
        for contributing in self.lineage(qualname).sources:
            for source in contributing:
                if skip_models and self.is_model(source):
                    continue
                found = self._nearest_definer(source, has, skip_models)
                if found is not None:
                    return found
        return None

    def _table(self, qualname: str) -> str | None:
        facts = self.classes[qualname]
        lineage = self.lineage(qualname)
        own_pk = any(c.primary_key for c in facts.columns)
        if (
            facts.tablename_rule is None
            and lineage.parent_model
            and not (lineage.flask and own_pk)
        ):
            return self._table(lineage.parent_model)  # single-table inheritance
        definer = self._nearest_definer(qualname, "tablename_rule", skip_models=True)
        if definer is not None:
            rule = definer.tablename_rule
            if rule == "literal":
                return definer.tablename
            if rule == "lower":
                return facts.name.lower()
            if rule == "name":
                return facts.name
            return None
        if lineage.flask and not facts.has_table:
            return _snake_case(facts.name)
        if lineage.kind == "sqlmodel":
            return facts.name.lower()
        return None

    # -- columns -------------------------------------------------------------------------

    def _column_type(self, column: ColumnFacts, module: str) -> ColumnFacts | None:
        if not column.type_ref:
            return None
        alias = self.aliases.get(self.symbols.canonical(column.type_ref, module))
        return (
            alias.column if alias is not None and alias.kind == "column_type" else None
        )

    def _column(
        self,
        column: ColumnFacts,
        module: str,
        pk_names: set[str],
        table_fks: dict[str, str],
        table_ondelete: dict[str, str],
    ) -> ColumnInfo:
        spec = self._column_type(column, module)

        def pick(name: str) -> object:
            own = getattr(column, name)
            return own if own is not None or spec is None else getattr(spec, name)

        name = pick("name") or column.attr
        primary_key = bool(pick("primary_key")) or name in pk_names
        explicit = pick("nullable")
        optional = column.optional
        if optional is None and column.annotated:
            if spec is not None:
                optional = (
                    spec.optional
                    if spec.optional is not None
                    else (False if spec.type_ref else None)
                )
            elif column.type_ref:
                optional = False
        if explicit is not None:
            nullable = bool(explicit)
        elif primary_key:
            nullable = False
        elif (
            column.uncertain or (spec is not None and spec.uncertain) or column.classic
        ):
            nullable = True
        elif not column.annotated or optional is None:
            nullable = True
        else:
            nullable = optional
        typed = column if column.type or spec is None else spec
        return ColumnInfo(
            attr=column.attr,
            name=str(name),
            type=column.type
            or (spec and (spec.type or spec.python_type))
            or column.python_type,
            primary_key=primary_key,
            unique=bool(pick("unique")),
            nullable=nullable,
            index=bool(pick("index")),
            foreign_key=pick("foreign_key") or table_fks.get(str(name)),  # type: ignore[arg-type]
            type_args=typed.type_args if typed is not None else None,
            collation=typed.collation if typed is not None else None,
            python_type=column.python_type or (spec and spec.python_type) or None,
            ondelete=pick("ondelete") or table_ondelete.get(str(name)),  # type: ignore[arg-type]
        )

    def _draft_columns_parent_first(self, qualname: str, done: set[str]) -> None:
        if qualname in done:
            return
        done.add(qualname)
        draft = self.drafts[qualname]
        parent = draft.lineage.parent_model
        if parent is not None and parent in self.drafts:
            self._draft_columns_parent_first(parent, done)
        self._draft_columns(qualname, draft)
        if parent is not None and parent in self.drafts:
            # Joined inheritance: an attribute the child re-declares (its `id` with a
            # foreign key to the parent's) maps both columns, the parent's first.
            for attr, column in self.drafts[parent].columns.items():
                if attr in draft.columns:
                    draft.columns[attr] = column

    def _draft_columns(self, qualname: str, draft: _Draft) -> None:
        facts = draft.facts
        columns, _ = self.members(qualname)
        sqlmodel = draft.lineage.kind == "sqlmodel"
        args = self._nearest_definer(qualname, "defines_table_args", skip_models=False)
        pk_names = set(args.primary_key_names) if args else set()
        table_fks = dict(args.table_foreign_keys) if args else {}
        table_ondelete = dict(args.table_foreign_key_ondelete) if args else {}
        for column in columns.values():
            if column.sqlmodel and not sqlmodel:
                continue
            draft.columns[column.attr] = self._column(
                column, facts.module, pk_names, table_fks, table_ondelete
            )
        by_name = {c.name: c.attr for c in draft.columns.values()}
        sets = list(args.unique_sets) if args else []
        parent = draft.lineage.parent_model
        while parent is not None:  # constraints of inherited tables still hold
            parent_args = self._nearest_definer(
                parent, "defines_table_args", skip_models=False
            )
            sets.extend(parent_args.unique_sets if parent_args else ())
            parent = self.lineage(parent).parent_model
        for names in sets:
            if all(n in by_name for n in names):
                attrs = tuple(by_name[n] for n in names)
                if attrs not in draft.unique_sets:
                    draft.unique_sets.append(attrs)

    def _resolve_fk(self, foreign_key: str | None, module: str) -> str | None:
        if not foreign_key or not foreign_key.startswith(REF_PREFIX):
            return foreign_key
        owner, _, attr = foreign_key[len(REF_PREFIX) :].rpartition(".")
        target = self.symbols.canonical(owner, module)
        draft = self.drafts.get(target)
        if draft is not None and draft.table and attr in draft.columns:
            return f"{draft.table}.{draft.columns[attr].name}"
        return ".".join(foreign_key[len(REF_PREFIX) :].split(".")[-2:])

    # -- relationships -------------------------------------------------------------------

    def _target(self, written: str | None, ref: str | None, module: str) -> str | None:
        if ref:
            found = self.symbols.canonical(ref, module)
            if found in self.drafts:
                return found
        if not written:
            return None
        if "." in written:
            found = self.symbols.canonical(written, module)
            if found in self.drafts:
                return found
        last = written.rsplit(".", 1)[-1]
        candidates = [
            q
            for q in self._by_name.get(last, ())
            if q == written or q.endswith("." + written)
        ]
        found = _nearest(candidates, module)
        return found or written

    def _relationship(
        self, owner: _Draft, facts: RelationshipFacts
    ) -> RelationshipInfo:
        module = owner.facts.module
        target = self._target(facts.target, facts.target_ref, module)
        other = self.drafts.get(target) if target else None
        explicit = [
            (self._target(w, r, module) if w else owner.facts.qualname, a)
            for w, r, a in facts.foreign_keys
        ]
        direction: str | None = None
        fk_attrs: tuple[str, ...] = tuple(a for _, a in explicit)
        if facts.secondary:
            direction = MANY_TO_MANY
        elif other is None:
            direction = None
        elif other is owner:
            if not explicit:
                fk_attrs = tuple(
                    a
                    for a, c in owner.columns.items()
                    if _same_table(_fk_table(c.foreign_key), owner.table)
                )
            # Self-referential: many-to-one only with remote_side (SQLAlchemy's rule).
            direction = MANY_TO_ONE if facts.remote_side else ONE_TO_MANY
        elif explicit:
            owners = {o for o, _ in explicit}
            if owners == {owner.facts.qualname}:
                direction = MANY_TO_ONE
            elif owners == {other.facts.qualname}:
                direction = ONE_TO_MANY
        else:
            mine = tuple(
                a
                for a, c in owner.columns.items()
                if _same_table(_fk_table(c.foreign_key), other.table)
            )
            theirs = tuple(
                a
                for a, c in other.columns.items()
                if _same_table(_fk_table(c.foreign_key), owner.table)
            )
            if mine and not theirs and not (facts.primaryjoin and len(mine) > 1):
                direction, fk_attrs = MANY_TO_ONE, mine
            elif theirs and not mine and not (facts.primaryjoin and len(theirs) > 1):
                direction, fk_attrs = ONE_TO_MANY, theirs
        uselist = facts.uselist
        if uselist is None:
            uselist = facts.collection
        if uselist is None and direction is not None:
            uselist = direction != MANY_TO_ONE
        return RelationshipInfo(
            attr=facts.attr,
            target=target,
            lazy=facts.lazy or "select",
            uselist=uselist,
            back_populates=facts.back_populates or facts.backref,
            secondary=facts.secondary,
            foreign_key_attrs=fk_attrs,
            direction=direction,
            viewonly=facts.viewonly,
            cascade=facts.cascade,
            passive_deletes=facts.passive_deletes,
            primaryjoin=facts.primaryjoin,
        )

    def _backref(
        self, owner: _Draft, facts: RelationshipFacts, info: RelationshipInfo
    ) -> None:
        other = self.drafts.get(info.target) if info.target else None
        if (
            other is None
            or facts.backref is None
            or facts.backref in other.relationships
        ):
            return
        direction = _REVERSE.get(info.direction) if info.direction else None
        uselist = facts.backref_uselist
        if uselist is None and direction is not None:
            uselist = direction != MANY_TO_ONE
        other.relationships[facts.backref] = RelationshipInfo(
            attr=facts.backref,
            target=owner.facts.qualname,
            lazy=facts.backref_lazy or "select",
            uselist=uselist,
            back_populates=facts.attr,
            secondary=facts.secondary,
            foreign_key_attrs=info.foreign_key_attrs,
            direction=direction,
            viewonly=facts.viewonly,
            from_backref=True,
            cascade=facts.backref_cascade,
            passive_deletes=facts.backref_passive_deletes,
            primaryjoin=facts.primaryjoin,
        )

    # -- per-row behaviour ---------------------------------------------------------------

    def _ancestors(self, qualname: str) -> set[str]:
        found: set[str] = set()
        pending = [qualname]
        while pending:
            current = pending.pop()
            for contributing in (
                self.lineage(current).sources if current in self.classes else ()
            ):
                for source in contributing:
                    if source not in found:
                        found.add(source)
                        pending.append(source)
        return found

    def _listeners_by_model(self) -> dict[str, list[tuple[str, str]]]:
        """Each model's event registrations: on the class, one of its attributes, a base
        or mixin it inherits from, or every mapper (`Mapper`)."""
        by_model: dict[str, list[tuple[str, str]]] = defaultdict(list)
        ancestry = {q: self._ancestors(q) for q in self.drafts}
        for listener in self.listeners:
            where = f"{listener.module}:{listener.line}"
            target = self.symbols.canonical(listener.target, listener.module)
            owner = self.symbols.canonical(
                listener.target.rpartition(".")[0], listener.module
            )
            if target.rsplit(".", 1)[-1] in ("Mapper", "mapper") and target.startswith(
                "sqlalchemy"
            ):
                hit = list(self.drafts)
            elif target in self.drafts:
                hit = [target] + [q for q, up in ancestry.items() if target in up]
            elif owner in self.drafts:  # an attribute event: `Render.status`
                hit = [owner]
            elif target in self.classes:  # a base or mixin: its models
                hit = [q for q, up in ancestry.items() if target in up]
            else:
                continue
            for qualname in hit:
                by_model[qualname].append((listener.event, where))
        return by_model

    def _query_class(self, qualname: str) -> dict[str, object]:
        """The model's own `query_class`, else the nearest base's or mixin's."""
        seen: set[str] = set()
        pending = [qualname]
        while pending:
            current = pending.pop(0)
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            facts = self.classes[current]
            if facts.query_class is not None:
                return {
                    "query_class": facts.query_class,
                    "query_overrides": self._query_methods(facts),
                }
            pending.extend(
                self.symbols.canonical(base, facts.module) for base in facts.bases
            )
        return {}

    def _query_methods(self, facts: ClassFacts) -> frozenset[str] | None:
        """What the query class and its project bases define; None when unreadable."""
        if facts.query_class_methods is not None:
            methods, bases = (
                set(facts.query_class_methods),
                [(b, facts.module) for b in facts.query_class_bases],
            )
        elif facts.query_class != "?":
            target = self.symbols.canonical(facts.query_class, facts.module)
            if target.split(".", 1)[0] in _LIBRARIES:
                return frozenset()  # Flask-SQLAlchemy's own Query: the stock methods
            if target not in self.classes:
                return None
            found = self.classes[target]
            methods, bases = (
                set(found.methods),
                [(b, found.module) for b in found.bases],
            )
        else:
            return None
        seen: set[str] = set()
        while bases:
            base, module = bases.pop()
            target = self.symbols.canonical(base, module)
            if target in seen or target.split(".", 1)[0] in _LIBRARIES:
                continue
            seen.add(target)
            if target not in self.classes:
                return None  # a base n1fix cannot read may override anything
            methods.update(self.classes[target].methods)
            bases.extend(
                (b, self.classes[target].module) for b in self.classes[target].bases
            )
        return frozenset(methods)

    def _writing_methods(self, qualname: str) -> tuple[tuple[str, str, str], ...]:
        merged: dict[str, tuple[str, tuple[str, ...], str]] = {}
        for owner in [qualname, *sorted(self._ancestors(qualname) - {qualname})]:
            facts = self.classes.get(owner)
            for name, effect, called in (
                facts.method_effects if facts is not None else ()
            ):
                merged.setdefault(name, (effect, called, facts.name))
        rank = {"commits": 3, "flushes": 2, "writes": 1, "": 0}
        effects = {name: effect for name, (effect, _, _) in merged.items()}
        changed = True
        while changed:  # `create` calls `save`, which commits: `create` commits
            changed = False
            for name, (_, called, _) in merged.items():
                best = max(
                    (effects.get(c, "") for c in called if c != name),
                    key=rank.__getitem__,
                    default="",
                )
                if rank[best] > rank[effects[name]]:
                    effects[name] = best
                    changed = True
        return tuple(
            sorted(
                (name, effects[name], merged[name][2])
                for name in merged
                if effects[name]
            )
        )

    def _constructor(self, qualname: str) -> str | None:
        """Who defines `__init__` for the model (see `ModelInfo.constructor`)."""
        for owner in [qualname, *sorted(self._ancestors(qualname) - {qualname})]:
            facts = self.classes.get(owner)
            if facts is None:
                continue
            if "__init__" in facts.methods:
                return facts.name
            for base in facts.bases:
                kind, target = self._base_target(base, facts.module)
                if kind == "sqlmodel" or (
                    kind == "other"
                    and target not in _PLAIN_BASES
                    and target.split(".", 1)[0]
                    not in ("sqlalchemy", "flask_sqlalchemy")
                ):
                    return "?"  # pydantic's validating __init__, or a class not read
        return None

    def _validated(self, qualname: str) -> tuple[str, ...]:
        found = [
            attr
            for q in sorted({qualname, *self._ancestors(qualname)})
            if q in self.classes
            for attr in self.classes[q].validated
        ]
        return tuple(dict.fromkeys(found))

    def _version_id(self, qualname: str) -> bool:
        return any(
            self.classes[q].version_id
            for q in {qualname, *self._ancestors(qualname)}
            if q in self.classes
        )

    # -- the whole index -----------------------------------------------------------------

    def _aliases(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        # Only names whose last part is a model's (or an alias's) name can lead to a model:
        # skip the rest without following them (most imports are of other things).
        wanted = {draft.facts.name for draft in self.drafts.values()}
        pending = [
            (module, local, qualified)
            for module, names in self.modules.items()
            for local, qualified in names.items()
            if not local.startswith(STAR_PREFIX)
        ]
        while pending:
            later = []
            for module, local, qualified in pending:
                if qualified.rsplit(".", 1)[-1] not in wanted:
                    later.append((module, local, qualified))
                    continue
                target = self.symbols.canonical(qualified, module)
                if target in self.drafts and target != f"{module}.{local}":
                    aliases[f"{module}.{local}"] = target
                    wanted.add(local)
            if len(later) == len(pending):
                break
            pending = later
        for _ in range(8):  # star imports, possibly chained
            changed = False
            for module, names in self.modules.items():
                for key, star in names.items():
                    if not key.startswith(STAR_PREFIX):
                        continue
                    prefix = star + "."
                    for name, target in [
                        *((q, q) for q in self.drafts),
                        *aliases.items(),
                    ]:
                        rest = name[len(prefix) :] if name.startswith(prefix) else ""
                        if rest and "." not in rest and not rest.startswith("_"):
                            alias = f"{module}.{rest}"
                            if alias not in aliases and alias not in self.drafts:
                                aliases[alias] = target
                                changed = True
            if not changed:
                break
        return aliases

    def build(self) -> ModelIndex:
        for qualname in sorted(self.classes):
            if self.is_model(qualname):
                self.drafts[qualname] = _Draft(
                    self.classes[qualname], self.lineage(qualname)
                )
        for qualname, draft in self.drafts.items():
            self._by_name[draft.facts.name].append(qualname)
            draft.table = self._table(qualname)
        done: set[str] = set()
        for qualname in self.drafts:
            self._draft_columns_parent_first(qualname, done)
        for draft in self.drafts.values():
            for attr, column in draft.columns.items():
                resolved = self._resolve_fk(column.foreign_key, draft.facts.module)
                if resolved != column.foreign_key:
                    draft.columns[attr] = replace(column, foreign_key=resolved)
        pending: list[tuple[_Draft, RelationshipFacts, RelationshipInfo]] = []
        for draft in self.drafts.values():
            _, relationships = self.members(draft.facts.qualname)
            parent = draft.lineage.parent_model
            inherited = self.members(parent)[1] if parent else {}
            for facts in relationships.values():
                info = self._relationship(draft, facts)
                draft.relationships[facts.attr] = info
                if (
                    inherited.get(facts.attr) is not facts
                ):  # the parent model owns its backref
                    pending.append((draft, facts, info))
        for draft, facts, info in pending:
            self._backref(draft, facts, info)
        listeners = self._listeners_by_model()
        models = {
            qualname: ModelInfo(
                qualname=qualname,
                name=draft.facts.name,
                module=draft.facts.module,
                table=draft.table,
                columns=draft.columns,
                relationships=draft.relationships,
                bases=draft.lineage.bases,
                unique_sets=tuple(draft.unique_sets),
                inherits=draft.lineage.parent_model,
                version_id=self._version_id(qualname),
                listeners=tuple(listeners.get(qualname, ())),
                **self._query_class(qualname),
                flask=draft.lineage.flask,
                writing_methods=self._writing_methods(qualname),
                constructor=self._constructor(qualname),
                validated=self._validated(qualname),
            )
            for qualname, draft in self.drafts.items()
        }
        session_query_classes = {}
        for fact in self.session_queries:
            query_class = (
                fact.query_class
                if fact.query_class == "?"
                else self.symbols.canonical(fact.query_class, fact.module)
            )
            if query_class.split(".", 1)[0] not in _LIBRARIES:
                stand_in = ClassFacts(
                    fact.qualname, "", fact.module, (), query_class=fact.query_class
                )
                session_query_classes[query_class] = self._query_methods(stand_in)
        return ModelIndex(
            models,
            self._aliases(),
            session_query_classes,
            self._session_listeners(),
            tuple(self.normalised_values),
        )

    def _session_listeners(self) -> tuple[tuple[str, str], ...]:
        """(event, where) of every listener of a Session event, or of an event n1fix
        cannot read, whatever it is registered on."""
        return tuple(
            (listener.event, f"{listener.module}:{listener.line}")
            for listener in self.listeners
            if listener.event in _SESSION_EVENTS or listener.event == "?"
        )


# SQLAlchemy's SessionEvents: registered on a session, a sessionmaker or `Session`.
_SESSION_EVENTS = frozenset(
    {
        "after_transaction_create",
        "after_transaction_end",
        "before_commit",
        "after_commit",
        "after_rollback",
        "after_soft_rollback",
        "before_flush",
        "after_flush",
        "after_flush_postexec",
        "after_begin",
        "before_attach",
        "after_attach",
        "after_bulk_update",
        "after_bulk_delete",
        "do_orm_execute",
        "transient_to_pending",
        "pending_to_transient",
        "persistent_to_transient",
        "pending_to_persistent",
        "loaded_as_persistent",
        "persistent_to_deleted",
        "deleted_to_persistent",
        "deleted_to_detached",
        "persistent_to_detached",
        "detached_to_persistent",
    }
)


def _stable_repr(value: object) -> str:
    """`repr`, with sets in sorted order: a set's own repr follows string hashing, which
    changes with every process (PYTHONHASHSEED), and the cache key must not."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(_stable_repr(item) for item in value)) + "}"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(
                f"{_stable_repr(k)}: {_stable_repr(v)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_stable_repr(item) for item in value) + "]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ", ".join(
            f"{f.name}={_stable_repr(getattr(value, f.name))}"
            for f in dataclasses.fields(value)
        )
        return f"{type(value).__name__}({fields})"
    return repr(value)
