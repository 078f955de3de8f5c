"""How a Django QuerySet loads relations: its `select_related` / `prefetch_related` calls
read as loader options, how a relation loads under them, and the call that loads one more.

`Book.objects.select_related("author__publisher").prefetch_related("tags", Prefetch(
"reviews", queryset=...))` loads `author`, `author.publisher` and `tags` with the rows;
`reviews` too, but through a queryset n1fix does not read, so what it loads below
`reviews` is unknown. A `Prefetch(..., to_attr="x")` fills the attribute `x` (a list), not
the relation's manager. `select_related()` with no argument follows every non-null foreign
key: the options are opaque. `select_related(None)` / `prefetch_related(None)` clear the
ones before.

A forward `ForeignKey` / `OneToOneField` (and a reverse one-to-one) loads on first read of
the attribute: lazy. A reverse foreign key or a many-to-many is a related manager: reading
it runs nothing; `.all()` (and `.count()` / `.exists()`) per object is a query unless a
`prefetch_related` of the path filled the manager's cache; `.filter(...)` and the other
QuerySet methods are a query per object whatever was prefetched.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import MethodCall, dotted_name
from n1fix.orm.dialect import Loading, ManagerRead, RowLoader
from n1fix.orm.loader_options import OptionChain, Options, Step
from n1fix.orm.models import MANY_TO_MANY, MANY_TO_ONE, ModelInfo, RelationshipInfo
from n1fix.orm.query_shape import QueryShape

SELECT = "select_related"
PREFETCH = "prefetch_related"
_LOADERS = (SELECT, PREFETCH)
# What a Prefetch with its own queryset loads below its lookup: unknown.
_UNKNOWN = "unknown"

_ROWS = {"all"}
_COUNTS = {"count", "exists"}
# A related manager's methods that change rows or hand the manager over: no query read.
_WRITES = {
    "add",
    "remove",
    "set",
    "clear",
    "create",
    "get_or_create",
    "update_or_create",
    "aadd",
    "aremove",
    "aset",
    "aclear",
    "acreate",
}


def read_options(calls: list[MethodCall]) -> Options:
    """The `select_related` / `prefetch_related` calls of a QuerySet chain as options."""
    chains: list[OptionChain] = []
    opaque = False
    loader_calls = [mc for mc in calls if mc.name in _LOADERS]
    for mc in loader_calls:
        if mc.name == SELECT and not mc.call.args:
            opaque = True  # every non-null foreign key, recursively
        for arg in mc.call.args:
            value = arg.value
            if arg.star or arg.keyword is not None:
                opaque = True
            elif isinstance(value, cst.Name) and value.value == "None":
                chains = [c for c in chains if c.steps[0].loader != mc.name]
            elif isinstance(value, cst.SimpleString):
                chains.append(OptionChain(arg, _lookup_steps(mc.name, value)))
            elif mc.name == PREFETCH and _is_prefetch(value):
                steps = _prefetch_steps(value)
                if steps is None:
                    opaque = True
                else:
                    chains.append(OptionChain(arg, steps))
            else:
                opaque = True
    return Options(chains, opaque, loader_calls)


def _lookup_steps(loader: str, value: cst.SimpleString) -> tuple[Step, ...]:
    return tuple(Step(loader, part) for part in str(value.evaluated_value).split("__"))


def _is_prefetch(value: cst.BaseExpression) -> bool:
    return (
        isinstance(value, cst.Call)
        and (dotted_name(value.func) or "").rsplit(".", 1)[-1] == "Prefetch"
    )


def _prefetch_steps(call: cst.Call) -> tuple[Step, ...] | None:
    """`Prefetch("books__tags")`: books, tags; with `to_attr="t"` the last step fills `t`
    instead; with `queryset=` what lies below the last step is unknown."""
    lookup = to_attr = None
    queryset = False
    for position, arg in enumerate(call.args):
        name = arg.keyword.value if arg.keyword is not None else None
        if arg.star:
            return None
        if name == "lookup" or (name is None and position == 0):
            lookup = arg.value
        elif name == "queryset" or (name is None and position == 1):
            queryset = not (
                isinstance(arg.value, cst.Name) and arg.value.value == "None"
            )
        elif name == "to_attr" or (name is None and position == 2):
            to_attr = arg.value
    if not isinstance(lookup, cst.SimpleString):
        return None
    steps = list(_lookup_steps(PREFETCH, lookup))
    if to_attr is not None:
        if not isinstance(to_attr, cst.SimpleString):
            return None
        steps[-1] = Step(PREFETCH, str(to_attr.evaluated_value))
    if queryset:
        steps.append(Step(_UNKNOWN, "*"))
    return tuple(steps)


def loading(
    options: Options, path: tuple[str, ...], relationship: RelationshipInfo
) -> Loading:
    option = options.strategy(path)
    if option in _LOADERS:
        return Loading.EAGER
    if option is not None:
        return Loading.OTHER  # below a Prefetch's own queryset
    if relationship.lazy in ("select", "dynamic"):
        return Loading.LAZY
    return Loading.OTHER


def manager_read(
    relationship: RelationshipInfo, method: str | None
) -> ManagerRead | None:
    if relationship.lazy != "dynamic":
        return None
    if method in _ROWS:
        return ManagerRead.ROWS
    if method in _COUNTS:
        return ManagerRead.COUNT
    if method is None or method in _WRITES or method.startswith("_"):
        return ManagerRead.OTHER
    return ManagerRead.FILTERED


# Chain calls under which a new select_related fails or changes what runs.
_NO_SELECT = {
    "only": "`only()` defers fields, and a relation both deferred and traversed by"
    " `select_related` raises",
    "defer": "`defer()` may defer the foreign key, and a relation both deferred and"
    " traversed by `select_related` raises",
    "select_for_update": "`select_for_update()` would lock the related rows too (and"
    " PostgreSQL refuses it on the nullable side of an outer join)",
}
_NO_PREFETCH = {
    "only": "`only()` may defer the foreign key each prefetched row is matched by",
    "defer": "`defer()` may defer the foreign key each prefetched row is matched by",
}
_CHUNK_SIZE = "2000"


def row_loader(
    calls: list[MethodCall],
    options: Options,
    path: tuple[str, ...],
    relationships: tuple[RelationshipInfo, ...],
    loadings: list[Loading],
) -> RowLoader:
    """The call that loads `path` with the rows of the chain `calls` (after the manager):
    `select_related` when every step is a single object, else `prefetch_related`."""
    single = all(rel.uselist is False and rel.lazy == "select" for rel in relationships)
    method = SELECT if single else PREFETCH
    lookup = "__".join(path)
    unknown = next(
        (p for p, rel in zip(path, relationships) if rel.target is None), None
    )
    if unknown is not None:
        return RowLoader(
            method,
            lookup,
            missing=f"no fix: n1fix cannot tell which model `{unknown}` leads to, nor"
            " whether a lookup may follow it",
        )
    blockers = _NO_SELECT if single else _NO_PREFETCH
    for mc in calls:
        if mc.name in blockers:
            return RowLoader(method, lookup, missing=f"no fix: {blockers[mc.name]}")
    iterator = next((mc.call for mc in calls if mc.name == "iterator"), None)
    unsafe = None
    chunked = None
    if iterator is not None and not single:
        if not any(
            arg.keyword is None or arg.keyword.value == "chunk_size"
            for arg in iterator.args
        ):
            chunked = (iterator, f"chunk_size={_CHUNK_SIZE}")
        unsafe = (
            "the rows are read with `iterator()`: `prefetch_related` runs with it only"
            f" given a `chunk_size` (Django 4.1+; 5.0 raises without one), so the fix"
            f" reads {_CHUNK_SIZE} rows at a time where the code streams them"
        )
    # An option naming a prefix of the path with the same method: the lookup replaces it.
    for k in range(len(path) - 1, 0, -1):
        chain = options.chain_for(path[:k])
        if (
            chain is not None
            and chain.steps[0].loader == method
            and isinstance(chain.arg.value, cst.SimpleString)
            and all(loadings[i] is Loading.EAGER for i in range(k))
        ):
            return RowLoader(
                method, lookup, replaces=chain.arg, argument=chunked, unsafe=unsafe
            )
    same = [mc.call for mc in calls if mc.name == method and mc.call.args]
    if same:
        return RowLoader(method, lookup, into=same[-1], argument=chunked, unsafe=unsafe)
    if not calls:
        return RowLoader(
            method, lookup, missing="no fix: no QuerySet call to load it on"
        )
    target, base = new_call_place(calls)
    return RowLoader(
        method, lookup, target=target, base=base, argument=chunked, unsafe=unsafe
    )


def new_call_place(
    calls: list[MethodCall],
) -> tuple[cst.BaseExpression, cst.BaseExpression]:
    """(target, base) for a call added to a chain: before its `iterator()`, in place of
    a bare `.all()` that ends it, else at its end."""
    iterator = next((mc.call for mc in calls if mc.name == "iterator"), None)
    if iterator is not None:
        at = iterator.func.value  # type: ignore[attr-defined]
        return at, at
    last = calls[-1]
    if last.name == "all" and not last.call.args:
        return last.call, last.call.func.value  # type: ignore[attr-defined]
    return last.call, last.call


# Chain calls under which a per-row count cannot become an annotation as it stands.
_NO_COUNT = {
    "values": "`values()`",
    "values_list": "`values_list()`",
    "distinct": "`distinct()`, which a GROUP BY changes",
    "union": "`union()`",
    "select_for_update": "`select_for_update()`, which refuses a GROUP BY",
}


def row_count(
    shape: QueryShape,
    model: ModelInfo,
    relationship: RelationshipInfo,
    loop_names: set[str],
) -> RowLoader:
    """`annotate(<name>_count=Count("<relation>", distinct=True))` on the rows' queryset,
    with an `order_by` of `Meta.ordering` when the chain has none: Django (3.1+) leaves
    `Meta.ordering` out of a query with a GROUP BY."""
    query = relationship.query_name or relationship.attr
    attr = _count_name(relationship.attr)
    text = f'annotate({attr}={{symbol}}("{query}", distinct=True))'
    calls = shape.statement_calls

    def missing(why: str) -> RowLoader:
        return RowLoader("annotate", query, missing=f"no fix: {why}")

    if query == "?":
        return missing("the relation's query name is not a literal")
    if not calls:
        return missing("no QuerySet call to annotate")
    taken = set(model.columns) | set(model.relationships) | loop_names
    for mc in calls:
        if mc.name in _NO_COUNT:
            return missing(f"the queryset has {_NO_COUNT[mc.name]}")
        for arg in mc.call.args:
            if mc.name in ("annotate", "alias") and arg.keyword is not None:
                taken.add(arg.keyword.value)
            if mc.name not in ("filter", "exclude"):
                continue
            if arg.keyword is None:
                return missing(
                    f"`.{mc.name}(...)` has a condition n1fix cannot read, which may"
                    f" follow `{query}` and so restrict what the annotation counts"
                )
            if arg.keyword.value.split("__")[0] == query:
                return missing(
                    f"`.{mc.name}({arg.keyword.value}=...)` joins `{query}` already, and"
                    " the annotation would count only the rows it keeps"
                )
    if attr in taken:
        return missing(f"`{attr}` is taken on `{model.name}` or in the loop")
    added = [text]
    django = model.django
    manager = shape.session.attr.value  # type: ignore[attr-defined]
    if not any(mc.name == "order_by" for mc in calls) and django is not None:
        if not django.ordering_known:
            return missing(
                f"`{model.name}.Meta.ordering` cannot be read, and a query with a GROUP"
                " BY leaves it out"
            )
        if django.ordering:
            terms = ", ".join(f'"{term}"' for term in django.ordering)
            added.append(f"order_by({terms})")
    unsafe = (
        f"each row now carries `{attr}`, which the loop reads instead: it must not"
        f" clash with a property or attribute of `{model.name}` n1fix cannot see"
    )
    if django is not None and django.manager_filters(manager):
        unsafe += (
            f"; `{model.name}.{manager}` has its own queryset, which may order its rows"
            " or follow the relation"
        )
    target, base = new_call_place(calls)
    return RowLoader(
        "annotate",
        query,
        target=target,
        base=base,
        unsafe=unsafe,
        calls=tuple(added),
        symbol="django.db.models.Count",
        reads_as=attr,
    )


# Chain calls under which a per-row `Exists` annotation changes what a row is.
_NO_EXISTS = {
    "values": "`values()`",
    "values_list": "`values_list()`",
    "union": "`union()`",
}


def row_exists(
    shape: QueryShape,
    model: ModelInfo,
    relationship: RelationshipInfo,
    related: ModelInfo | None,
    loop_names: set[str],
    target: str | None,
) -> RowLoader:
    """`annotate(has_<relation>=Exists(<Related>.objects.filter(<back>=OuterRef("pk"))))`
    on the rows' queryset: each row's `<relation>.exists()`, answered in the same query.
    A subquery, no join: the rows, their order and the chain's filters stay as they were."""
    attr = f"has_{relationship.attr.removesuffix('_set')}"

    def missing(why: str) -> RowLoader:
        return RowLoader("annotate", relationship.attr, missing=f"no fix: {why}")

    if related is None or related.django is None:
        return missing(f"n1fix cannot tell which model `{relationship.attr}` leads to")
    back = _back_lookup(model, relationship, related)
    if back is None:
        return missing(
            f"n1fix cannot tell how `{related.name}` refers back to `{model.name}` by"
            " its primary key"
        )
    if target is None:
        return missing(f"`{related.name}` is not imported here")
    manager = related.django.managers[0].attr if related.django.managers else "objects"
    if manager != "objects" or related.django.manager_filters("objects"):
        return missing(
            f"the related manager uses `{related.name}`'s default manager, whose"
            " queryset n1fix cannot show to be `objects`' stock one"
        )
    calls = shape.statement_calls
    if not calls:
        return missing("no QuerySet call to annotate")
    taken = set(model.columns) | set(model.relationships) | loop_names
    for mc in calls:
        if mc.name in _NO_EXISTS:
            return missing(f"the queryset has {_NO_EXISTS[mc.name]}")
        if mc.name in ("annotate", "alias"):
            taken.update(a.keyword.value for a in mc.call.args if a.keyword)
    if attr in taken:
        return missing(f"`{attr}` is taken on `{model.name}` or in the loop")
    text = (
        f"annotate({attr}={{Exists}}({target}.objects.filter({back}={{OuterRef}}"
        '("pk"))))'
    )
    place, base = new_call_place(calls)
    return RowLoader(
        "annotate",
        relationship.attr,
        target=place,
        base=base,
        unsafe=(
            f"each row now carries `{attr}`, which the loop reads instead: it must not"
            f" clash with a property or attribute of `{model.name}` n1fix cannot see"
        ),
        calls=(text,),
        symbols=("django.db.models.Exists", "django.db.models.OuterRef"),
        reads_as=attr,
    )


def _back_lookup(
    model: ModelInfo, relationship: RelationshipInfo, related: ModelInfo
) -> str | None:
    """The lookup on the related model that compares with the row's primary key: the
    forward field of a reverse relation (`book` for `author.book_set`), the reverse
    query name of a forward many-to-many (`book` for `book.tags`, read on `Tag`)."""
    if relationship.uselist is not True:
        return None
    if relationship.from_backref:
        forward = related.relationship(relationship.back_populates or "")
        if forward is None:
            return None
        if forward.direction == MANY_TO_ONE:
            # the foreign key must hold the row's primary key (no `to_field`)
            column = related.column(forward.foreign_key_attrs[0])
            wanted = (
                f"{model.table}.{model.primary_key[0]}" if model.primary_key else None
            )
            if column is None or column.foreign_key != wanted:
                return None
        return forward.attr
    if relationship.direction != MANY_TO_MANY or not relationship.back_populates:
        return None
    reverse = related.relationship(relationship.back_populates)
    if reverse is None or not reverse.query_name or reverse.query_name == "?":
        return None
    return reverse.query_name


def _count_name(accessor: str) -> str:
    """`reviews` -> `review_count`, `translation_set` -> `translation_count`."""
    if accessor.endswith("_set"):
        stem = accessor[: -len("_set")]
    elif accessor.endswith("s") and not accessor.endswith("ss") and len(accessor) > 1:
        stem = accessor[:-1]
    else:
        stem = accessor
    return f"{stem}_count"
