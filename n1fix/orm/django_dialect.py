"""Django's answers to the ORM seam's questions (`n1fix.orm.dialect.OrmDialect`).

A Django query is a QuerySet chain on a model's manager: `Book.objects.filter(author_id=x)
.order_by("-created").first()`. Its shape: the manager (`Book.objects`) stands where
SQLAlchemy has a session, the model is the entity, each `name=value` keyword of
`filter()` / `get()` is a keyed `Predicate` with its lookup resolved to a column
(`author=x.pk`, `author__pk=x`, `author__id=x` and `author_id=x` all compare `author_id`;
`pk=x` the primary key), `order_by(...)` its ordering, and the terminal call its
cardinality: none (iterated) LIST, `.first()` / `.last()` FIRST, `.get()` ONE,
`.count()` COUNT, `.exists()` EXISTS, `.values()` / `.values_list()` / `.aggregate()`
SCALAR; the async API (`await ...aget()`, `acount()`, `afirst()`, `alast()`,
`aexists()`, `async for`) the same.

A slice from the start (`qs.order_by("-created_at")[:3]`, `[0:n]`) is LIMIT n: read as a
`.limit(n)` call, when the rows' order is known (an `order_by`, or the model's readable
`Meta.ordering` through a manager that does not filter); its batch keeps the first n
rows per key with a `ROW_NUMBER()` window filtered in the query (Django 4.2+).

Not read here (no shape, so no finding): related managers (`author.book_set.filter(...)`,
their per-row reads are lazy-load territory), `Q(...)` objects as keys (they become
predicates that are no key), `raw()`, `extra()`, any other slice or index.

The batch writer: `batch_query` writes the batched QuerySet a query-in-loop rewrite
runs once (`filter(author_id__in=keys)`, counts grouped with `values_list(key).annotate(
Count("pk"))`), and `batch_gaps` says which facts a Django batch relies on that the
code does not show (the per-item order `.first()` / `.last()` reads).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import libcst as cst

from n1fix.cst.chains import MethodCall, dotted_name, unwind
from n1fix.orm import django_loading, django_prefetch
from n1fix.orm.dialect import BatchQuery, Loading, ManagerRead, RowLoader
from n1fix.orm.loader_options import Options
from n1fix.orm.models import ModelIndex, ModelInfo, RelationshipInfo
from n1fix.orm.query_shape import Cardinality, Predicate, QueryShape, Style
from n1fix.orm.write_shape import ModelWrite, WriteShape

if TYPE_CHECKING:
    from n1fix.rules.context import FileContext

# QuerySet methods that narrow, order or load without changing what a row is.
_CHAIN = {
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "using",
    "annotate",
    "alias",
    "select_for_update",
    "distinct",
    "reverse",
    "iterator",
}
_OPAQUE = {"distinct": "distinct", "select_for_update": "with_for_update"}
_SCALAR_CHAIN = {"values", "values_list", "dates", "datetimes"}
_TERMINALS = {
    "first": Cardinality.FIRST,
    "afirst": Cardinality.FIRST,
    "last": Cardinality.FIRST,
    "alast": Cardinality.FIRST,
    "get": Cardinality.ONE,
    "aget": Cardinality.ONE,
    "count": Cardinality.COUNT,
    "acount": Cardinality.COUNT,
    "exists": Cardinality.EXISTS,
    "aexists": Cardinality.EXISTS,
    "aggregate": Cardinality.SCALAR,
    "aaggregate": Cardinality.SCALAR,
    "in_bulk": Cardinality.SCALAR,
    "ain_bulk": Cardinality.SCALAR,
    "latest": Cardinality.SCALAR,
    "earliest": Cardinality.SCALAR,
}
LAST = ("last", "alast")
_SAVES = {"save", "asave", "delete", "adelete"}
_QUERYSET_WRITES = {
    "update",
    "aupdate",
    "create",
    "acreate",
    "bulk_create",
    "abulk_create",
    "bulk_update",
    "abulk_update",
    "get_or_create",
    "aget_or_create",
    "update_or_create",
    "aupdate_or_create",
    "add",
    "aadd",
    "remove",
    "aremove",
    "set",
    "aset",
    "clear",
    "aclear",
}
_ASYNC = {name for name in _TERMINALS if name.startswith("a") and name != "aggregate"}
# Writes through a model's API, one row per call (by their sync names).
_MANAGER_WRITES = {"create", "get_or_create", "update_or_create"}
_MODEL_WRITES = _MANAGER_WRITES | {"save", "delete", "update"}
_MANAGERS_BY_SPELLING = {"objects", "_default_manager", "_base_manager"}
_DEFERS = {"only", "defer"}


class DjangoDialect:
    name = "django"
    identity_map = False

    def __init__(self, models: ModelIndex | None = None) -> None:
        self.models = models

    def with_models(self, models: ModelIndex | None) -> DjangoDialect:
        """This dialect reading the project's models through `models` (the engine hands
        one file's check an index that notes what the check asks of it)."""
        return DjangoDialect(models)

    # -- query shapes ----------------------------------------------------------------

    def query_shape(self, node: cst.BaseExpression) -> QueryShape | None:
        if isinstance(node, cst.Subscript):
            return self._sliced_shape(node)
        base, calls, is_async = unwind(node)
        if not calls or not _is_manager(base):
            return None
        if is_async and not isinstance(node, cst.Await):
            return None  # an await inside the chain: not one QuerySet
        entity = base.value  # type: ignore[attr-defined]
        if not self._names_a_model(entity):
            return None  # `Config.settings.get(...)`: a class attribute, no manager
        model = self._model(entity)
        terminal = None
        cardinality = Cardinality.LIST
        *chain, last = calls
        if last.name in _TERMINALS:
            terminal = last
            cardinality = _TERMINALS[last.name]
        else:
            chain = calls
        if is_async != (terminal is not None and terminal.name in _ASYNC):
            return None  # an unawaited coroutine, or an await of something else
        predicates: list[Predicate] = []
        order_by: list[cst.BaseExpression] = []
        opaque: list[str] = []
        for mc in chain:
            if mc.name in _SCALAR_CHAIN:
                cardinality = (
                    cardinality
                    if cardinality in (Cardinality.COUNT, Cardinality.EXISTS)
                    else Cardinality.SCALAR
                )
                continue
            if mc.name not in _CHAIN:
                return None  # union(), raw(), extra(), a custom QuerySet method
            if mc.name in _OPAQUE:
                opaque.append(_OPAQUE[mc.name])
            if mc.name == "filter":
                predicates.extend(self._predicates(mc.call, model, keyed=True))
            elif mc.name == "exclude":
                predicates.extend(self._predicates(mc.call, model, keyed=False))
            elif mc.name == "order_by":
                order_by = [arg.value for arg in mc.call.args]
        get_key = get_key_column = None
        if terminal is not None and terminal.name in ("get", "aget"):
            got = self._predicates(terminal.call, model, keyed=True)
            field_name = (
                in_bulk_field(model, got[0].node.keyword.value)
                if len(got) == 1 and model is not None and got[0].node.keyword
                else None
            )
            if (
                len(got) == 1
                and model is not None
                and (got[0].attr,) == model.primary_key
            ):
                get_key = got[0].value  # `.get(pk=key)`: a lookup by primary key
            elif field_name is not None and not got[0].object_key:
                # `.get(slug=key)` of a field `in_bulk(field_name=...)` accepts
                get_key, get_key_column = got[0].value, field_name
            else:
                predicates.extend(got)
        elif terminal is not None and terminal.call.args:
            if cardinality is not Cardinality.SCALAR:
                return None  # `first(...)` takes no arguments: not a QuerySet
        return QueryShape(
            node=node,
            style=Style.DJANGO,
            is_async=is_async,
            session=base,
            cardinality=cardinality,
            terminal=terminal,
            terminal_action="strip" if terminal is not None else "none",
            entity=entity,
            statement_calls=chain,
            predicates=predicates,
            order_by=order_by,
            opaque=opaque,
            get_key=get_key,
            get_key_column=get_key_column,
        )

    def _sliced_shape(self, node: cst.Subscript) -> QueryShape | None:
        """`chain[:n]` (or `[0:n]`) of rows in a known order: the chain's shape with
        LIMIT n, read as the `.limit(n)` call SQLAlchemy's queries spell it with."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice):
            return None
        cut = node.slice[0].slice
        start = cut.lower
        if cut.upper is None or cut.step is not None:
            return None
        if start is not None and not (
            isinstance(start, cst.Integer) and start.evaluated_value == 0
        ):
            return None
        shape = self.query_shape(node.value)
        if (
            shape is None
            or shape.cardinality is not Cardinality.LIST
            or shape.is_async
            or any(mc.name == "iterator" for mc in shape.statement_calls)
        ):
            return None
        model = self._model(shape.entity) if shape.entity is not None else None
        if model is None or self._window_order(shape, model) is None:
            return None  # the first n of an unknown order: any n rows
        limit = MethodCall("limit", cst.Call(cst.Name("limit"), [cst.Arg(cut.upper)]))
        return dataclasses.replace(shape, node=node, limit=limit)

    def _window_order(self, shape: QueryShape, model: ModelInfo) -> list[str] | None:
        """The per-item rows' order as the window's `order_by` terms (code): the
        query's `order_by`, else `Meta.ordering`; None when not known, or none."""
        explicit = [mc for mc in shape.statement_calls if mc.name == "order_by"]
        if explicit:
            terms = [arg for arg in explicit[-1].call.args]
            if not terms or any(a.keyword is not None or a.star for a in terms):
                return None
            return [_code(a.value) for a in terms]
        django = model.django
        manager = shape.session.attr.value  # type: ignore[attr-defined]
        if (
            django is None
            or django.manager_filters(manager)
            or not django.ordering_known
            or not django.ordering
        ):
            return None
        return [f'"{term}"' for term in django.ordering]

    def is_manager(self, receiver: cst.BaseExpression) -> bool:
        """`Book.objects`: a manager of a class the project defines as a Django model."""
        return _is_manager(receiver) and self._names_a_model(receiver.value)  # type: ignore[attr-defined]

    def _names_a_model(self, entity: cst.BaseExpression) -> bool:
        """Some Django model of the project has the class name `entity` ends with (with
        no index, as in a single file's check: any class-like name)."""
        if self.models is None:
            return True
        name = dotted_name(entity)
        return (
            name is not None
            and name.rsplit(".", 1)[-1] in self.models.django_model_names()
        )

    def _model(self, entity: cst.BaseExpression) -> ModelInfo | None:
        if self.models is None:
            return None
        name = dotted_name(entity)
        if name is None:
            return None
        last = name.rsplit(".", 1)[-1]
        found = self.models.by_name(last)
        if not found:
            # `UserModel = get_user_model()`: a name some module binds to one model
            targets = {
                target
                for alias, target in self.models.aliases.items()
                if alias.rsplit(".", 1)[-1] == last
            }
            found = [m for t in targets if (m := self.models.get(t)) is not None]
        return found[0] if len(found) == 1 else None

    def _predicates(
        self, call: cst.Call, model: ModelInfo | None, keyed: bool
    ) -> list[Predicate]:
        found = []
        for arg in call.args:
            if arg.keyword is None:
                # `Q(...)`, `**kwargs`: a filter, but no `column = value` key.
                found.append(Predicate(arg, call, None, "", arg.value, True))
                continue
            attr, value = self.lookup_column(arg.keyword.value, arg.value, model)
            found.append(
                Predicate(
                    arg,
                    call,
                    None,
                    attr if keyed else "",
                    value,
                    True,
                    object_key=value is not arg.value,
                )
            )
        return found

    def lookup_column(
        self,
        lookup: str,
        value: cst.BaseExpression,
        model: ModelInfo | None,
    ) -> tuple[str, cst.BaseExpression]:
        """The column a `lookup=value` keyword compares for equality ("" when it is no
        equality on one column of the model), and the value compared."""
        parts = lookup.split("__")
        if parts[-1] == "exact":
            parts.pop()
        if parts == ["pk"]:
            if model is not None and len(model.primary_key) == 1:
                return model.primary_key[0], value
            return "", value
        if model is None:
            return (parts[0], value) if len(parts) == 1 else ("", value)
        relation = model.relationship(parts[0])
        if relation is not None and relation.direction == "many_to_one":
            fk = relation.foreign_key_attrs[0] if relation.foreign_key_attrs else None
            target = self.models.get(relation.target) if self.models else None
            target_pk = target.primary_key if target is not None else ()
            if fk is None:
                return "", value
            if len(parts) == 1:
                # `author=x.pk` / `author=x.id`: the key; `author=x`: an object (or a
                # key: Django takes either), whose primary key is the key.
                if _is_pk_read(value, target_pk):
                    return fk, value
                if isinstance(value, cst.Name):
                    return fk, cst.Attribute(value=value, attr=cst.Name("pk"))
                return "", value
            if len(parts) == 2 and (parts[1] == "pk" or (parts[1],) == target_pk):
                return fk, value
            return "", value
        if len(parts) == 1 and model.column(parts[0]) is not None:
            return parts[0], value
        return "", value

    def statement_parts(
        self, statement: cst.BaseExpression
    ) -> tuple[cst.Call, list[MethodCall]] | None:
        # Where loader options go in a QuerySet (`select_related` / `prefetch_related`
        # on the chain) is not written yet: no statement to add them to.
        return None

    def loader_options(self, calls: list[MethodCall]) -> Options:
        return django_loading.read_options(calls)

    def loading(
        self, options: Options, path: tuple[str, ...], relationship: RelationshipInfo
    ) -> Loading:
        return django_loading.loading(options, path, relationship)

    def manager_read(
        self, relationship: RelationshipInfo, method: str | None
    ) -> ManagerRead | None:
        return django_loading.manager_read(relationship, method)

    def row_loader(
        self,
        calls: list[MethodCall],
        options: Options,
        path: tuple[str, ...],
        relationships: tuple[RelationshipInfo, ...],
        loadings: list[Loading],
    ) -> RowLoader | None:
        return django_loading.row_loader(calls, options, path, relationships, loadings)

    def row_count(
        self,
        shape: QueryShape,
        model: ModelInfo,
        relationship: RelationshipInfo,
        loop_names: set[str],
    ) -> RowLoader | None:
        return django_loading.row_count(shape, model, relationship, loop_names)

    def row_exists(
        self,
        shape: QueryShape,
        model: ModelInfo,
        relationship: RelationshipInfo,
        loop_names: set[str],
        target: str | None,
    ) -> RowLoader | None:
        related = (
            self.models.get(relationship.target)
            if self.models is not None and relationship.target
            else None
        )
        return django_loading.row_exists(
            shape, model, relationship, related, loop_names, target
        )

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
        related = (
            self.models.get(relationship.target)
            if self.models is not None and relationship.target
            else None
        )
        return django_prefetch.row_prefetch(
            shape.statement_calls,
            model,
            relationship,
            related,
            chains,
            loop_names,
            target,
            target_symbol,
            self.models,
        )

    def write_shape(
        self,
        node: cst.BaseExpression,
        imports: dict[str, str],
        built: dict[str, cst.BaseExpression] | None = None,
    ) -> WriteShape | None:
        return None  # QuerySet.update() / .delete(): not yet read

    def model_write(self, node: cst.BaseExpression) -> ModelWrite | None:
        """`Book.objects.create(...)` / `get_or_create` / `update_or_create` on a model's
        manager, `<queryset>.update(...)` / `.delete()`, and any other `x.save()` /
        `x.delete()` (an object's own: whether `x` is a model instance is the rule's to
        show). The async forms (`acreate`, `asave`, ...) awaited."""
        is_async = isinstance(node, cst.Await)
        call = node.expression if is_async else node
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)):
            return None
        method = call.func.attr.value
        name = method[1:] if is_async and method.startswith("a") else method
        if is_async != (name != method) or name not in _MODEL_WRITES:
            return None
        receiver = call.func.value
        if name in _MANAGER_WRITES:
            if not (_is_manager(receiver) and self._names_a_model(receiver.value)):
                return None
            return ModelWrite(node, call, name, receiver, receiver.value, is_async)
        if name in ("update", "delete") and isinstance(receiver, cst.Call):
            query = self.query_shape(receiver)
            if query is None or query.cardinality is not Cardinality.LIST:
                return None
            kind = "update" if name == "update" else "delete_rows"
            return ModelWrite(
                node, call, kind, receiver, query.entity, is_async, query=query
            )
        if name in ("save", "delete") and not _is_manager(receiver):
            return ModelWrite(node, call, name, receiver, None, is_async)
        return None

    def model_for(
        self,
        models: ModelIndex,
        expr: cst.CSTNode,
        imports: dict[str, str],
        module_name: str,
    ) -> ModelInfo | None:
        name = dotted_name(expr)
        if name is None:
            return None
        return models.resolve(name, imports, module_name)

    def not_a_session(
        self,
        ctx: FileContext,
        receiver: cst.BaseExpression,
        ancestry: list[cst.CSTNode],
    ) -> str | None:
        return None  # a manager of a model class: what it runs is read from the chain

    def loop_write(self, call: cst.Call) -> str | None:
        if not isinstance(call.func, cst.Attribute):
            return None
        method = call.func.attr.value
        receiver = call.func.value
        if method in _SAVES:
            # `obj.save()`, `form.save()`: a model's row (and what its overrides and
            # receivers do); a plain name or attribute is enough to be one.
            return f"`.{method}()`, which writes a row"
        if method in _QUERYSET_WRITES and not isinstance(receiver, cst.Name):
            # `Book.objects.filter(...).update()`, `task.annotations.update()`,
            # `Book.objects.create()`: not a dict's `update()` on a plain name.
            return f"`.{method}()` of a queryset or manager, which writes"
        return None

    # -- the batch -------------------------------------------------------------------

    def unbatchable_lookup(self, shape: QueryShape, predicate: Predicate) -> str | None:
        """`field__iexact=x` per item: `field__in=keys` compares exactly, and grouping
        the rows by `Lower(field)` in Python is not what `iexact` compares on every
        backend (PostgreSQL compares `UPPER()` of both sides; Unicode case folding
        differs from `str.lower()`). Other lookups are no key either, but not said here."""
        arg = predicate.node
        if not isinstance(arg, cst.Arg) or arg.keyword is None:
            return None
        field, _, lookup = arg.keyword.value.rpartition("__")
        if lookup != "iexact" or not field:
            return self._unbatchable_get(shape, predicate)
        return (
            f"`{field}__iexact` matches case-insensitively, and no batch keeps that:"
            f" `{field}__in=keys` compares exactly, and grouping rows by a lower-cased"
            " key is not what `iexact` compares on every database (PostgreSQL compares"
            " `UPPER()`; Unicode case folding differs)"
        )

    def _unbatchable_get(self, shape: QueryShape, predicate: Predicate) -> str | None:
        """`.get(name=x)` per item, `name` a field of the model that is no primary key
        and that `in_bulk(field_name=...)` refuses: why no `in_bulk` batches it."""
        terminal = shape.terminal
        if (
            terminal is None
            or terminal.name not in ("get", "aget")
            or predicate.container is not terminal.call
            or len(terminal.call.args) != 1
            or shape.entity is None
        ):
            return None
        model = self._model(shape.entity)
        written = predicate.node.keyword.value.removesuffix("__exact")  # type: ignore[attr-defined]
        if model is None or model.column(written) is None:
            return None
        duplicates = (
            ""
            if model.is_unique(written)
            else "; a dict by the key would also keep one row where"
            f" `.{terminal.name}()` raises MultipleObjectsReturned"
        )
        return (
            f"`{model.name}.{written}` is not shown unique as `in_bulk()` needs it"
            " (`unique=True`, a `OneToOneField`, or a `UniqueConstraint` of that field"
            f' alone without a condition), and `in_bulk(keys, field_name="{written}")`'
            f" raises ValueError on a field that is not{duplicates}"
        )

    def batch_gaps(
        self,
        shape: QueryShape,
        model: ModelInfo | None,
        key_column: str,
        cardinality: Cardinality,
    ) -> list[str] | None:
        """What a batch of `shape` relies on that the code does not show; [] when
        nothing."""
        if model is None:
            return [
                "the model is not in the model index, so its keys and ordering are unknown"
            ]
        django = model.django
        manager = shape.session.attr.value  # type: ignore[attr-defined]
        gaps = []
        if django is not None and (
            manager in django.opaque_managers
            or manager not in ({m.attr for m in django.managers} or {"objects"})
        ):
            gaps.append(
                f"`{model.name}.{manager}` is a manager n1fix cannot read; its QuerySet"
                " may not filter or order as Django's does"
            )
        if shape.get_key_column is not None:
            loads = [mc.name for mc in shape.statement_calls if mc.name in _DEFERS]
            if loads:
                gaps.append(
                    f"`in_bulk()` reads `{key_column}` of each row, which `.{loads[0]}()`"
                    " may leave deferred (a query per row to load it)"
                )
        elif cardinality is Cardinality.ONE and not model.is_unique(key_column):
            gaps.append(
                f"`{model.name}.{key_column}` is not unique; `.get()` raises on"
                " duplicates, a dict keeps one"
            )
        if cardinality is Cardinality.ONE:
            joined = self._joined_condition(shape, model)
            if joined is not None:
                gaps.append(
                    f"`{joined}` may join a relation with many rows, which repeats a"
                    " row: `.get()` then raises MultipleObjectsReturned, where"
                    " `in_bulk()` keeps one"
                )
        if cardinality is Cardinality.LIST and shape.limit is not None:
            order = self.ordering(shape, model)
            if order is None or not any(model.is_unique(name) for name in order):
                gaps.append(
                    f"the per-item slice orders by {', '.join(order or ['?'])}, which can"
                    " tie: the batch may keep another of the tied rows"
                )
        if cardinality is Cardinality.FIRST and not model.is_unique(key_column):
            order = self.ordering(shape, model)
            if order is None:
                gaps.append(
                    f"the order of `{model.name}` rows is not known (its manager or"
                    " `Meta.ordering` cannot be read), so which row is first is not"
                    " known either"
                )
            elif not any(model.is_unique(name) for name in order):
                gaps.append(
                    f"`.{shape.terminal.name}()` orders by {', '.join(order)}, which"
                    " can tie: the batch may pick another of the tied rows"
                )
        return gaps

    def _joined_condition(self, shape: QueryShape, model: ModelInfo) -> str | None:
        """What in the queryset may join a reverse foreign key or a many-to-many, as
        written: a filter through one (`filter(books__pages__gt=300)`), one n1fix cannot
        read (`Q(...)`), any `annotate()` / `alias()` (`F("reviews__stars")` joins one;
        which expressions do is not read), a manager of the project whose own queryset
        filters (its conditions are not read here); None when every condition stays on
        single-valued relations."""
        manager = shape.session.attr.value  # type: ignore[attr-defined]
        if model.django is not None and manager in model.django.filtering_managers:
            return f"{model.name}.{manager}"  # (an opaque one has a gap of its own)
        for mc in shape.statement_calls:
            if mc.name in ("annotate", "alias"):
                return f".{mc.name}(...)"
            if mc.name != "filter":  # `exclude()` tests many rows in a subquery
                continue
            for arg in mc.call.args:
                if arg.keyword is None:
                    return f".{mc.name}({_code(arg.value)})"
                if not self._single_valued(model, arg.keyword.value):
                    return f".{mc.name}({arg.keyword.value}=...)"
        return None

    def _single_valued(self, model: ModelInfo, lookup: str) -> bool:
        """`lookup` reaches a field of `model`, or one of another model through forward
        foreign keys and one-to-ones only (what follows the field is a transform or a
        lookup); False when a step is a relation with many rows, or unknown."""
        current: ModelInfo | None = model
        for part in lookup.split("__"):
            if current is None:
                return False
            if part == "pk" or current.column(part) is not None:
                return True
            rel = current.relationship(part)
            if rel is None or rel.uselist is not False:
                return False
            current = (
                self.models.get(rel.target) if rel.target and self.models else None
            )
        return True  # ends on a single-valued relation: compares its key

    def ordering(self, shape: QueryShape, model: ModelInfo) -> list[str] | None:
        """The columns a query is ordered by (its `order_by`, else `Meta.ordering`, else
        the primary key `.first()` falls back to), None when unknown."""
        terms: list[str] = []
        if any(mc.name == "order_by" for mc in shape.statement_calls):
            for term in shape.order_by:
                if not isinstance(term, cst.SimpleString):
                    return None
                terms.append(term.evaluated_value)  # type: ignore[arg-type]
        else:
            django = model.django
            manager = shape.session.attr.value  # type: ignore[attr-defined]
            if django is not None and django.manager_filters(manager):
                return None  # its get_queryset() may order
            if django is not None and not django.ordering_known:
                return None
            terms = list(django.ordering or ()) if django is not None else []
        if not terms:
            return list(model.primary_key)
        names = []
        for term in terms:
            name = term.lstrip("-+")
            if name == "pk":
                names.extend(model.primary_key)
            elif model.column(name) is not None:
                names.append(name)
            elif model.column(f"{name}_id") is not None:
                names.append(f"{name}_id")
            else:
                names.append(name)  # a related field or expression: not unique here
        return names

    def batch_proof(
        self,
        shape: QueryShape,
        model: ModelInfo | None,
        key_column: str,
        cardinality: Cardinality,
    ) -> str | None:
        """What a safe batch is, and what it keeps, in words for the finding."""
        written = _written_lookup(_key_arg(shape, key_column), key_column)
        query = f"one `filter({written}__in=keys)` query"
        if cardinality is Cardinality.COUNT:
            return (
                f"{query} counting rows per `{key_column}` (`values_list(...)"
                '.annotate(count=Count("pk"))`); a key without rows counts 0'
            )
        if cardinality is Cardinality.EXISTS:
            return f"{query} for the keys that have rows"
        if cardinality is Cardinality.ONE and shape.get_key_column is not None:
            return (
                f'one `in_bulk(keys, field_name="{key_column}")` query, a dict by'
                f" `{key_column}` as loaded (`{model.name if model else '?'}.{key_column}`"
                " is unique as `in_bulk()` needs it); a key it does not find (another"
                " type, another case, None) runs the original `.get()`, which finds"
                " the row or raises `DoesNotExist` as before"
            )
        if cardinality is Cardinality.ONE:
            return (
                f"one `in_bulk(keys)` query, a dict by `{key_column}`; a key it does not"
                " find runs the original `.get()`, which raises `DoesNotExist` as before"
            )
        order = "unordered, as before"
        if any(mc.name == "order_by" for mc in shape.statement_calls):
            order = "in the query's own `order_by`"
        elif model is not None and model.django is not None and model.django.ordering:
            order = f"in `{model.name}.Meta.ordering` {list(model.django.ordering)}"
        elif cardinality is Cardinality.FIRST:
            order = "by primary key, as `.first()` / `.last()` order an unordered query"
        if cardinality is Cardinality.FIRST:
            which = "last" if shape.terminal.name in LAST else "first"
            if model is not None and model.is_unique(key_column):
                return f"{query}; `{key_column}` is unique: at most one row per key"
            return (
                f"{query}, grouped by `{key_column}`; the {which} row per key {order}"
            )
        if shape.limit is not None:
            return (
                f"{query}, grouped by `{key_column}` in Python; each key's first"
                f" {_code(shape.limit.call.args[0].value)} rows {order}, kept by a"
                " `ROW_NUMBER()` window filtered in the query (Django 4.2+)"
            )
        return f"{query}, grouped by `{key_column}` in Python; each key's rows {order}"

    def _unordered(self, shape: QueryShape, model: ModelInfo) -> bool:
        """Known to have no ordering: no `order_by`, a manager that does not filter, and
        no `Meta.ordering`."""
        if any(mc.name == "order_by" for mc in shape.statement_calls):
            return False
        django = model.django
        if django is None:
            return False
        manager = shape.session.attr.value  # type: ignore[attr-defined]
        return not django.manager_filters(manager) and not django.ordering

    def batch_query(
        self,
        shape: QueryShape,
        key_column: str,
        keys_ref: str,
        cardinality: Cardinality,
        code,
        symbol,
    ) -> BatchQuery:
        """The batched QuerySet (as code): the per-item chain with its key predicate as
        `key__in=keys` and the terminal dropped; a count grouped by the key; `.first()`
        ordered as it was (`.last()` reversed)."""
        key_arg = _key_arg(shape, key_column)
        manager = code(shape.session)
        parts = []
        for mc in shape.statement_calls:
            parts.append(
                f".{mc.name}({_args(mc.call, key_arg, keys_ref, key_column, code)})"
            )
        own_chain = "".join(parts)  # without the `.get()` key as a filter
        if (
            key_arg is not None
            and key_arg.container is not None
            and all(key_arg.container is not mc.call for mc in shape.statement_calls)
        ):
            # the key was an argument of `.get(...)`: it becomes a filter
            parts.append(
                f".filter({_args(key_arg.container, key_arg, keys_ref, key_column, code)})"
            )
        chain = "".join(parts)
        source = f"{manager}{chain}"
        # `values_list("author")` reads the key column as `author_id` does; a lookup
        # through another model (`author__pk`) would join it: the column then.
        written = _written_lookup(key_arg, key_column)
        read_back = written if "__" not in written else key_column
        if cardinality is Cardinality.COUNT:
            count = symbol("django.db.models.Count")
            return BatchQuery(
                _rows(
                    shape,
                    f'{source}.values_list("{read_back}")'
                    f'.annotate(count={count}("pk")).order_by()',
                )
            )
        if cardinality is Cardinality.EXISTS:
            return BatchQuery(
                _rows(shape, f'{source}.values_list("{read_back}", flat=True)')
            )
        if cardinality is Cardinality.FIRST:
            model = self._model(shape.entity) if shape.entity is not None else None
            if model is not None and self._unordered(shape, model):
                source += '.order_by("pk")'  # what `.first()` / `.last()` order by then
            if shape.terminal is not None and shape.terminal.name in LAST:
                source += ".reverse()"
        if cardinality is Cardinality.ONE and shape.get_key is not None:
            # `in_bulk` maps primary keys to rows (no query for no keys); a key it did
            # not find reruns the per-item `.get()`, which raises as it did.
            bulk = "ain_bulk" if shape.is_async else "in_bulk"
            awaited = "await " if shape.is_async else ""
            field_name = (
                f', field_name="{shape.get_key_column}"'
                if shape.get_key_column is not None
                else ""
            )
            return BatchQuery(
                f"{awaited}{manager}{own_chain}.{bulk}({keys_ref}{field_name})",
                on_miss=code(shape.node),
                mapping=True,
            )
        if cardinality is Cardinality.LIST and shape.limit is not None:
            model = self._model(shape.entity) if shape.entity is not None else None
            order = self._window_order(shape, model) if model is not None else None
            if order is None:
                raise ValueError("a sliced batch of rows in an unknown order")
            position = _free_annotation(
                f"position_in_{read_back.removesuffix('_id')}", model, shape
            )
            window = (
                f"{symbol('django.db.models.Window')}"
                f"({symbol('django.db.models.functions.RowNumber')}(),"
                f' partition_by="{read_back}", order_by=[{", ".join(order)}])'
            )
            top_n = code(shape.limit.call.args[0].value)
            source += f".annotate({position}={window}).filter({position}__lte={top_n})"
            return BatchQuery(_rows(shape, source), capped=True)
        on_miss = None
        if cardinality is Cardinality.ONE:
            on_miss = code(shape.node)  # the per-item `.get()`: raises as it did
        return BatchQuery(_rows(shape, source), on_miss=on_miss)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(self.name)


def in_bulk_field(model: ModelInfo, lookup: str) -> str | None:
    """The `field_name` `in_bulk()` takes for `.get(<lookup>=x)`, None when it takes
    none: an exact lookup (`slug=x`, `slug__exact=x`) of a field of the model other than
    its primary key, unique as Django's `in_bulk()` checks it (else it raises
    ValueError): the field's `unique` (`unique=True`, a `OneToOneField`, a foreign key
    named by its `attname`, `owner_id`, whose dict is then keyed by the key, not the
    object), or a `UniqueConstraint` of that field alone without a condition or
    expressions. Not a one-field `unique_together`, which `in_bulk()` refuses, nor a
    lookup through a relation (`author__name=x`)."""
    name = lookup.removesuffix("__exact")
    column = model.column(name)
    if "__" in name or column is None or column.primary_key:
        return None
    if column.unique:
        return name
    relation = model.relationship(name.removesuffix("_id"))
    django = model.django
    if relation is None and django is not None and name in django.total_unique_fields:
        return name
    return None


def _is_manager(base: cst.BaseExpression) -> bool:
    """`Book.objects`, `models.Book.published`: a manager of a class-like name."""
    if not isinstance(base, cst.Attribute):
        return False
    owner = base.value
    name = (
        owner.value
        if isinstance(owner, cst.Name)
        else owner.attr.value
        if isinstance(owner, cst.Attribute)
        else ""
    )
    if not (name[:1].isupper() and not name.isupper()):
        return False
    attr = base.attr.value
    return attr in _MANAGERS_BY_SPELLING or (attr[:1].islower() and attr != "query")


def _is_pk_read(value: cst.BaseExpression, target_pk: tuple[str, ...]) -> bool:
    return isinstance(value, cst.Attribute) and (
        value.attr.value == "pk" or (value.attr.value,) == target_pk
    )


def _key_arg(shape: QueryShape, key_column: str) -> Predicate | None:
    if shape.get_key is not None and shape.terminal is not None:
        arg = next(a for a in shape.terminal.call.args if a.value is shape.get_key)
        return Predicate(arg, shape.terminal.call, None, key_column, arg.value, True)
    return next((p for p in shape.predicates if p.attr == key_column), None)


def _written_lookup(key: Predicate | None, key_column: str) -> str:
    """The key's lookup as the query spells it (`author`, `author_id`, `pk`), without
    `__exact`: the batch filters with it plus `__in`, and reads it back by it."""
    if key is None or not isinstance(key.node, cst.Arg) or key.node.keyword is None:
        return key_column
    return key.node.keyword.value.removesuffix("__exact")


def _args(
    call: cst.Call, key: Predicate | None, keys_ref: str, key_column: str, code
) -> str:
    rendered = []
    for arg in call.args:
        if key is not None and arg is key.node:
            rendered.append(f"{_written_lookup(key, key_column)}__in={keys_ref}")
        else:
            rendered.append(code(arg).rstrip().rstrip(","))
    return ", ".join(rendered)


def _free_annotation(name: str, model: ModelInfo, shape: QueryShape) -> str:
    """`name`, or `name_2`, ...: one no field of the model and no annotation of the
    query has (Django refuses an annotation that clashes with either)."""
    taken = {
        arg.keyword.value
        for mc in shape.statement_calls
        if mc.name in ("annotate", "alias")
        for arg in mc.call.args
        if arg.keyword is not None
    }
    candidate, n = name, 1
    while (
        candidate in taken
        or model.column(candidate) is not None
        or model.relationship(candidate) is not None
    ):
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _rows(shape: QueryShape, source: str) -> str:
    """An async query's rows are read with `async for` (iterating a QuerySet in an
    event loop raises `SynchronousOnlyOperation`)."""
    return f"[row async for row in {source}]" if shape.is_async else source
