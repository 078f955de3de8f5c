"""The ORM seam: the questions rules ask about an ORM, and the words the answers use.

Rules and the shared analyses do not ask "is this `select()`?"; they ask the project's
dialect (`ctx.orm`, chosen once by the engine from what the project imports):

- `query_shape(expr)`: is this expression a query, and what is its shape: the session
  that runs it, the one entity it selects, its keyed predicates, ordering, limit and the
  cardinality of its result (`QueryShape`, `Predicate`, `Cardinality`);
- `statement_parts(expr)`: the statement a query runs, split into its head call and the
  chain of calls after it (where loader options go);
- `loader_options(calls)`: the relationship loading those calls ask for (`Options`:
  the loader each relationship path is given, and where a new one goes);
- `loading(options, path, relationship)`: is the relationship at the end of `path` loaded
  with the rows, lazily (a query per object), raising, or otherwise (`Loading`), given
  the query's options and the relationship's own default;
- `manager_read(relationship, method)`: when reading a relationship gives a manager
  (Django's `book.tags`), what a call on it does per object (`ManagerRead`);
- `row_loader(...)` / `row_count(...)`: for a dialect whose loaders are calls on the
  query (Django's `select_related` / `prefetch_related`, a per-row count as
  `annotate(Count(...))`), the call that loads a path with the rows and where it goes
  (`RowLoader`); SQLAlchemy answers None (lazy-load-in-loop writes its options itself);
- `identity_map`: whether a lazy load by key asks the session's identity map first and
  a commit expires every object (SQLAlchemy), which lazy-load-in-loop's exemptions rely on;
- `write_shape(expr, imports)`: is this a bulk write statement, and its shape
  (`WriteShape`: insert / update / delete, target, predicates, values);
- `model_write(expr)`: is this a write through a model's own API, one row per call
  (`ModelWrite`: Django's `create()`, `save()`, `delete()`, a queryset's `update()`);
- `model_for(models, expr, imports, module)`: which model a class reference names
  (`ModelInfo`, with its columns, keys and `RelationshipInfo`: direction, loading
  strategy, foreign key attributes);
- `not_a_session(ctx, receiver, ancestry)`: words for what a query's receiver is when
  the project shows it is no session (a project module or class), else None.

And, for the query-in-loop rewrite, the writing side:

- `batch_gaps(shape, model, key_column, cardinality)`: what a batch relies on that the
  code does not show, or None for the rule's own (SQLAlchemy) checks;
- `batch_query(...)`: the batched query as code (`BatchQuery`), or None for the
  codemod's own (SQLAlchemy) writer; `batch_proof(...)`: what a safe batch keeps, in
  words for the finding.

`n1fix.orm.sqlalchemy_dialect` answers them for SQLAlchemy (2.0 `select()`, the 1.x
Query API, Flask-SQLAlchemy's `Model.query`) by delegating to the modules of this
package. `n1fix.orm.django_dialect` fills the same types for Django:
`Book.objects.filter(author_id=x)` is a `QueryShape` with entity `Book`, the predicate
`author_id == x` and cardinality LIST (`.get(...)` ONE, `.first()` FIRST, `.count()`
COUNT, `.exists()` EXISTS); `ForeignKey` / `OneToOneField` / `ManyToManyField` become
`RelationshipInfo`s (a forward `ForeignKey` is MANY_TO_ONE with its `attname` as foreign
key attribute, the reverse `<model>_set` ONE_TO_MANY). Not yet: `select_related` /
`prefetch_related` as loader options, `QuerySet.update()` / `.delete()` as `WriteShape`s.

The value types are defined, for now, next to the SQLAlchemy code that first produced
them; they are re-exported here so that rules name them through the seam only.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from n1fix.orm.functions import QueryFunction
from n1fix.orm.models import (
    MANY_TO_MANY,
    MANY_TO_ONE,
    ONE_TO_MANY,
    ColumnInfo,
    ModelIndex,
    ModelInfo,
    RelationshipInfo,
)

if TYPE_CHECKING:
    import libcst as cst

    from n1fix.cst.chains import MethodCall
    from n1fix.orm.loader_options import OptionChain, Options
    from n1fix.orm.query_shape import Cardinality, Predicate, QueryShape, Style
    from n1fix.orm.write_shape import ModelWrite, WriteShape
    from n1fix.rules.context import FileContext

# The value types whose modules import LibCST, imported when first named (PEP 562): the
# survey and the gates (`MANY_TO_ONE`) read this module in runs that never parse with
# LibCST, and importing it costs a fifth of a second.
_LAZY = {
    "OptionChain": "n1fix.orm.loader_options",
    "Options": "n1fix.orm.loader_options",
    "Cardinality": "n1fix.orm.query_shape",
    "Predicate": "n1fix.orm.query_shape",
    "QueryShape": "n1fix.orm.query_shape",
    "Style": "n1fix.orm.query_shape",
    "ModelWrite": "n1fix.orm.write_shape",
    "WriteShape": "n1fix.orm.write_shape",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "MANY_TO_MANY",
    "BatchQuery",
    "MANY_TO_ONE",
    "ONE_TO_MANY",
    "Cardinality",
    "ColumnInfo",
    "Loading",
    "ManagerRead",
    "ModelIndex",
    "ModelInfo",
    "ModelWrite",
    "OptionChain",
    "Options",
    "OrmDialect",
    "Predicate",
    "QueryFunction",
    "QueryShape",
    "RelationshipInfo",
    "RowLoader",
    "Style",
    "WriteShape",
]


@dataclass(frozen=True)
class BatchQuery:
    """The batched query a dialect writes for a query-in-loop rewrite, as code.

    `source`: what iterates the rows (the keys' counts as `(key, n)` pairs for a count,
    the keys that have rows for an exists); `on_miss`: for a one-row query, what the
    lookup falls back to for a key the batch did not find (the per-item query itself,
    so that a missing row raises as it did), or None.
    """

    source: str
    on_miss: str | None = None
    # `source` is already the mapping from key to row (Django's `in_bulk(keys)`), and
    # costs no query for no keys: no grouping, no `if keys:`.
    mapping: bool = False
    # The query keeps at most the per-item LIMIT of rows per key itself (Django's
    # window filter): the grouping takes every row it gives.
    capped: bool = False


class Loading(str, enum.Enum):
    """How a relationship's objects are loaded when code reads it."""

    EAGER = "eager"  # with the rows (`selectinload`, `lazy="joined"`; Django's select_related)
    LAZY = "lazy"  # a query per object on first read: what lazy-load-in-loop reports
    RAISE = "raise"  # reading it raises instead of querying
    OTHER = "other"  # never loaded (noload), a query object (dynamic), or unknown


class ManagerRead(str, enum.Enum):
    """What a call on a related manager (Django's `book.tags`, a query object per read)
    does per object."""

    ROWS = "rows"  # `.all()`: the related rows, served by a loader on the query if any
    COUNT = "count"  # `.count()` / `.exists()`: served by a loader too, else a query
    FILTERED = "filtered"  # `.filter(...)`, `.order_by(...)`, ...: a query of its own
    OTHER = "other"  # no query per object (reading the manager itself, writes to it)


@dataclass(frozen=True)
class RowLoader:
    """A loader written as a call on the rows' query (`select_related("author")`), where
    SQLAlchemy writes an option object: what a lazy-load-in-loop fix adds, and where.

    One of: `replaces` (an argument naming a prefix of the lookup: the lookup takes its
    place), `into` (a call of the same method: the lookup becomes one more argument), or
    a new call `.method("lookup")` replacing `target`, made on `base` (the end of the
    chain, or before its `iterator()`; `target` a bare `.all()` it stands in for).
    `argument`: a call of the chain that must take one more argument for the loader to
    run (`iterator(chunk_size=2000)`). `missing`: why there is no fix (then nothing else
    is set); `unsafe`: why the fix is not safe, or None.

    A count computed with the rows (`annotate(review_count=Count("reviews",
    distinct=True))`) is a new call too: `calls` are the calls added (as code, `{symbol}`
    standing for how the module spells `symbol`, which it imports), and `reads_as` the
    attribute each row then carries, which replaces the per-row call.
    """

    method: str = ""
    lookup: str = ""
    replaces: cst.Arg | None = None
    into: cst.Call | None = None
    target: cst.BaseExpression | None = None
    base: cst.BaseExpression | None = None
    argument: tuple[cst.Call, str] | None = None
    missing: str | None = None
    unsafe: str | None = None
    calls: tuple[str, ...] = ()
    symbol: str | None = None
    reads_as: str | None = None
    # More names the calls use, each written `{<last name>}` (`{Exists}`), imported too.
    symbols: tuple[str, ...] = ()
    # A filtered related manager loaded into lists (`Prefetch(..., to_attr=...)`): the
    # attribute each read becomes, in the order of the reads the rule gave.
    to_attrs: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        if self.calls:
            name = (self.symbol or "").rsplit(".", 1)[-1]
            text = ".".join(self.calls).replace("{symbol}", name)
            for symbol in self.symbols:
                last = symbol.rsplit(".", 1)[-1]
                text = text.replace(f"{{{last}}}", last)
            return text
        return f'{self.method}("{self.lookup}")'


@runtime_checkable
class OrmDialect(Protocol):
    """What rules ask an ORM. Each answer is a neutral fact, or None for "not one"/"unknown"."""

    name: str  # "sqlalchemy"; part of the results cache's key
    # Whether the session keeps one object per row (an identity map a lazy load by key
    # asks first) and expires them all on commit: SQLAlchemy's; Django has none.
    identity_map: bool

    def query_shape(self, node: cst.BaseExpression) -> QueryShape | None:
        """The shape of the query `node` runs, or None when it is no query n1fix can read."""
        ...

    def statement_parts(
        self, statement: cst.BaseExpression
    ) -> tuple[cst.Call, list[MethodCall]] | None:
        """A query statement as (its head call, the chain of calls after it), or None."""
        ...

    def loader_options(self, calls: list[MethodCall]) -> Options:
        """How the chain `calls` asks relationships to be loaded."""
        ...

    def loading(
        self, options: Options, path: tuple[str, ...], relationship: RelationshipInfo
    ) -> Loading:
        """How the last relationship of `path` loads, under a query's `options`."""
        ...

    def manager_read(
        self, relationship: RelationshipInfo, method: str | None
    ) -> ManagerRead | None:
        """When reading `relationship` gives a manager (a query object) rather than its
        objects: what calling `method` on it does (`None` method: the manager itself is
        used); None when the relationship's attribute holds its objects."""
        ...

    def row_loader(
        self,
        calls: list[MethodCall],
        options: Options,
        path: tuple[str, ...],
        relationships: tuple[RelationshipInfo, ...],
        loadings: list[Loading],
    ) -> RowLoader | None:
        """The loader that loads `path` with the rows of the query whose chain is `calls`,
        when the dialect writes loaders as calls on the query; None when the rule's own
        option writer (SQLAlchemy's) applies."""
        ...

    def row_count(
        self,
        shape: QueryShape,
        model: ModelInfo,
        relationship: RelationshipInfo,
        loop_names: set[str],
    ) -> RowLoader | None:
        """The count of each row's `relationship` computed with the rows of `shape`
        (`loop_names`: attribute names the loop's rows already use), or None when the
        dialect has no such fix."""
        ...

    def row_exists(
        self,
        shape: QueryShape,
        model: ModelInfo,
        relationship: RelationshipInfo,
        loop_names: set[str],
        target: str | None,
    ) -> RowLoader | None:
        """Whether each row's `relationship` has rows, computed with the rows of `shape`
        (`target`: how the module spells the related model, None when it does not), or
        None when the dialect has no such fix."""
        ...

    def row_prefetch(
        self,
        shape: QueryShape,
        model: ModelInfo,
        relationship: RelationshipInfo,
        chains: list[list[MethodCall]],
        loop_names: set[str],
        target: str | None,
        target_symbol: str | None,
    ) -> RowLoader | None:
        """Each of `chains` (the calls after a related manager, `row.<relationship>`,
        read per row of `shape` and only iterated) loaded with the rows into a list
        attribute of its own (`target`: how the module spells the related model, a
        `{Name}` placeholder when `target_symbol` must be imported), or None when the
        dialect has no such fix."""
        ...

    def write_shape(
        self,
        node: cst.BaseExpression,
        imports: dict[str, str],
        built: dict[str, cst.BaseExpression] | None = None,
    ) -> WriteShape | None:
        """The shape of the bulk write `node` runs (`built`: statements bound to names), or None."""
        ...

    def model_write(self, node: cst.BaseExpression) -> ModelWrite | None:
        """The write `node` makes through a model's own API (one row per call), or None."""
        ...

    def model_for(
        self,
        models: ModelIndex,
        expr: cst.CSTNode,
        imports: dict[str, str],
        module_name: str,
    ) -> ModelInfo | None:
        """The model a class reference names, if the project's model index has it."""
        ...

    def not_a_session(
        self,
        ctx: FileContext,
        receiver: cst.BaseExpression,
        ancestry: list[cst.CSTNode],
    ) -> str | None:
        """Words for what `receiver` is when the project shows it is no session, else None."""
        ...

    def loop_write(self, call: cst.Call) -> str | None:
        """Words for the write `call` makes when a loop body runs it (a QuerySet's
        `update()`, a manager's `create()`, a model's `save()`), for writes the rule's
        own (SQLAlchemy) checks do not see; None when it is no such write."""
        ...

    def unbatchable_lookup(self, shape: QueryShape, predicate: Predicate) -> str | None:
        """Why the one predicate of `shape` that changes per item, a comparison other
        than equality on a column (`email__iexact=x`), has no `IN` batch; None when the
        dialect says nothing of it."""
        ...

    def batch_gaps(
        self,
        shape: QueryShape,
        model: ModelInfo | None,
        key_column: str,
        cardinality: Cardinality,
    ) -> list[str] | None:
        """What batching `shape` by `key_column` relies on that the code does not show
        ([] when nothing), or None when the rule's own checks (SQLAlchemy's) apply."""
        ...

    def batch_proof(
        self,
        shape: QueryShape,
        model: ModelInfo | None,
        key_column: str,
        cardinality: Cardinality,
    ) -> str | None:
        """What a safe batch of `shape` is and keeps, in words for the finding, or None
        for the rule's own words."""
        ...

    def batch_query(
        self,
        shape: QueryShape,
        key_column: str,
        keys_ref: str,
        cardinality: Cardinality,
        code: Callable[[cst.CSTNode], str],
        symbol: Callable[[str], str],
    ) -> BatchQuery | None:
        """The batched query for `shape`, keyed by `key_column` in the list `keys_ref`
        (`code` renders a node, `symbol` spells and imports a qualified name), or None
        when the codemod's own writer (SQLAlchemy's) applies."""
        ...
