"""A filtered related manager read per row, loaded with the rows instead: one
`Prefetch(lookup, queryset=..., to_attr=...)` per distinct chain on the manager.

    for author in Author.objects.filter(active=True):
        for book in author.books.filter(is_published=True):
->
    for author in Author.objects.filter(active=True).prefetch_related(
        Prefetch("books", queryset=Book.objects.filter(is_published=True), to_attr="published_books")
    ):
        for book in author.published_books:

What the rewrite keeps, and how it is shown (else no fix, with why):

- the rows: a reverse foreign key's and a many-to-many's related manager is built on the
  class of the related model's default manager (`_default_manager.__class__`), so the
  Prefetch queryset starts from `<Related>.objects` only when `objects` is that default
  manager and a stock one (no `get_queryset` of the project's, no library's class, no
  `Meta.default_manager_name` elsewhere);
- the chain: `filter()` / `exclude()` with keyword lookups, `order_by()` and
  `select_related()` with literal field paths, and `all()`. Each lookup may follow only
  single-valued relations (forward foreign keys, one-to-ones) to a field: the related
  manager's own condition on a many-to-many joins the relation back to the row "stickily"
  (the next filter reuses that join), a Prefetch queryset's filters come before its
  `__in` condition and join apart, so a lookup through a multi-valued relation could keep
  other rows;
- the order: the Prefetch query runs the chain's `order_by()`, else `Meta.ordering`, and
  Django keeps that order in each row's list;
- the name: it reads as the chain says (`published_books` for `filter(is_published=True)`,
  `not_published_books` for `False`, `filtered_books`, `books_by_pages` for an
  `order_by("pages")` alone) and clashes with nothing the rows' model or the queryset
  already has: Django takes a `to_attr` an object already has as filled and loads
  nothing, and refuses one that names a field.

The values in the chain's arguments are the rule's to prove (the same where the queryset is
built as where each row read them); the rewrite is always unsafe (a new attribute on the
rows, a list where the code had a QuerySet).
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.chains import MethodCall
from n1fix.orm.dialect import RowLoader
from n1fix.orm.django_loading import PREFETCH, new_call_place
from n1fix.orm.models import MANY_TO_MANY, ONE_TO_MANY, ModelInfo, RelationshipInfo

PREFETCH_SYMBOL = "django.db.models.Prefetch"
# The calls a chain on the related manager may hold, and what each needs of its arguments.
_CONDITIONS = {"filter", "exclude"}
_CHAIN = {*_CONDITIONS, "order_by", "select_related", "all"}
# Calls of the rows' queryset under which the Prefetch would not run, or not as written.
_NO_PREFETCH = {
    "iterator": "the rows are streamed with `iterator()`, which runs a prefetch only"
    " given a `chunk_size`",
    "only": "`only()` may defer the key each prefetched row is matched by",
    "defer": "`defer()` may defer the key each prefetched row is matched by",
    "values": "`values()` gives dicts, not rows",
    "values_list": "`values_list()` gives tuples, not rows",
    "union": "a combined query (`union()`) takes no prefetch",
    "intersection": "a combined query (`intersection()`) takes no prefetch",
    "difference": "a combined query (`difference()`) takes no prefetch",
}


# The fix is written but not offered: a second review (session 34) ran rewrites it
# would make that fail or change the results, from facts it does not prove yet: a
# filter value changed through an alias or by a function the loop calls, a write in a
# function the loop calls or through a related manager's `add()` / `set()`, a `yield`
# in the loop, the rows' queryset evaluated or reused before or after the loop (the
# prefetch goes where it is built), a `to_attr` name an `annotate(**names)`, the
# manager's own annotation, a mixin's property or `__init__` sets, a local or module
# `Prefetch` shadowing Django's, the related model's import closing an import cycle,
# and a multi-line string re-indented. Until each is proven, the finding says which
# Prefetch would do and gives no fix; the tests of the rewrite itself set this.
OFFERED = False


def row_prefetch(
    calls: list[MethodCall],
    model: ModelInfo,
    relationship: RelationshipInfo,
    related: ModelInfo | None,
    chains: list[list[MethodCall]],
    loop_names: set[str],
    target: str | None,
    target_symbol: str | None,
    models,
) -> RowLoader:
    """The `prefetch_related(Prefetch(...), ...)` call on the rows' queryset (its chain:
    `calls`) loading each of `chains` (the calls after `row.<relationship>`, one per
    distinct read) into an attribute of its own (`RowLoader.to_attrs`, in that order).
    `target`: how the module spells the related model (a `{Name}` placeholder when
    `target_symbol` must be imported for it)."""
    lookup = relationship.attr

    def missing(why: str) -> RowLoader:
        return RowLoader(PREFETCH, lookup, missing=f"no fix: {why}")

    if (
        relationship.lazy != "dynamic"
        or relationship.uselist is not True
        or relationship.direction not in (ONE_TO_MANY, MANY_TO_MANY)
    ):
        return missing(f"`{lookup}` is no reverse foreign key or many-to-many")
    if related is None or related.django is None or model.django is None:
        return missing(f"n1fix cannot tell which model `{lookup}` leads to")
    if target is None:
        return missing(f"`{related.name}` is not imported here")
    manager = _default_manager(related)
    if manager is None:
        return missing(
            f"`{model.name}.{lookup}` is built on `{related.name}`'s default manager,"
            " which n1fix cannot show to be a stock `objects`: a Prefetch queryset"
            " started elsewhere may keep other rows"
        )
    if not calls:
        return missing("no QuerySet call to add the prefetch to")
    taken = set(model.columns) | set(model.relationships) | set(loop_names)
    taken |= set(model.django.attributes)
    for mc in calls:
        if mc.name in _NO_PREFETCH:
            return missing(_NO_PREFETCH[mc.name])
        if mc.name in ("annotate", "alias"):
            taken.update(a.keyword.value for a in mc.call.args if a.keyword)
        if mc.name == PREFETCH:
            names = _to_attrs_of(mc.call)
            if names is None:
                return missing(
                    "the queryset's `prefetch_related(...)` fills attributes n1fix"
                    " cannot read"
                )
            taken |= names
    prefetches, attrs = [], []
    for chain in chains:
        problem = _chain_problem(chain, related, models)
        if problem is not None:
            return missing(problem)
        attr = _to_attr(chain, lookup)
        if attr is None:
            return missing(
                "the chain on the related manager only loads relations: n1fix names"
                " no list for it"
            )
        if attr in taken or attr in attrs:
            return missing(
                f"`{attr}`, the name the list would take, is taken on `{model.name}`,"
                " by the queryset or by another read of the loop"
            )
        attrs.append(attr)
        queryset = f"{target}.{manager}" + "".join(
            f".{mc.name}({_arguments(mc.call)})" for mc in chain if mc.name != "all"
        )
        prefetches.append(
            f'{{Prefetch}}("{lookup}", queryset={queryset}, to_attr="{attr}")'
        )
    if not OFFERED:
        return missing(
            f'a `Prefetch("{lookup}", queryset=..., to_attr=...)` on the rows\' queryset'
            f" (into {_listed(attrs)}) would load these rows with them; n1fix does not"
            " write it yet: it cannot yet show that nothing between the queryset and"
            " the loop changes what the filters read or the rows they find"
        )
    unsafe = (
        f"each `{model.name}` row now carries {_listed(attrs)}, a list the loop reads"
        " where it had a QuerySet (n1fix saw it only iterated), filled once when the"
        " rows load; the name must not clash with an attribute of"
        f" `{model.name}` n1fix cannot see"
    )
    if not model.django.bases_known:
        unsafe += " (a base class n1fix cannot read may define it)"
    place, base = new_call_place(calls)
    return RowLoader(
        PREFETCH,
        lookup,
        target=place,
        base=base,
        unsafe=unsafe,
        calls=(f"prefetch_related({', '.join(prefetches)})",),
        symbols=(PREFETCH_SYMBOL, *filter(None, [target_symbol])),
        to_attrs=tuple(attrs),
    )


def _default_manager(related: ModelInfo) -> str | None:
    """`objects` when it is `related`'s default manager and a stock one, else None."""
    django = related.django
    if django is None or not django.bases_known:
        return None  # a base n1fix cannot read may declare managers
    if django.default_manager_name not in (None, "objects"):
        return None
    if django.managers and django.managers[0].attr != "objects":
        return None
    if django.manager_filters("objects"):
        return None
    return "objects"


def _to_attrs_of(call: cst.Call) -> set[str] | None:
    """The `to_attr`s of a `prefetch_related(...)` call's `Prefetch`es (None: unreadable)."""
    names = set()
    for arg in call.args:
        if arg.star or arg.keyword is not None:
            return None
        value = arg.value
        if isinstance(value, cst.SimpleString):
            continue
        if not isinstance(value, cst.Call):
            return None
        for position, inner in enumerate(value.args):
            keyword = inner.keyword.value if inner.keyword is not None else None
            if inner.star:
                return None
            if keyword == "to_attr" or (keyword is None and position == 2):
                if not isinstance(inner.value, cst.SimpleString):
                    return None
                names.add(str(inner.value.evaluated_value))
    return names


def _chain_problem(chain: list[MethodCall], related: ModelInfo, models) -> str | None:
    """Why the calls after the related manager cannot be a Prefetch queryset, or None."""
    for mc in chain:
        name, args = mc.name, mc.call.args
        if name not in _CHAIN:
            return f"`.{name}()` on the related manager is not read as a queryset to prefetch"
        if any(arg.star for arg in args):
            return f"`.{name}()` has arguments n1fix cannot read"
        if name == "all" and args:
            return "`.all()` with arguments"
        if name in _CONDITIONS:
            for arg in args:
                if arg.keyword is None:
                    return (
                        f"`.{name}()` has a condition n1fix cannot read (`Q(...)`,"
                        " an expression)"
                    )
                if not _single_valued(related, arg.keyword.value, models):
                    return _multi_valued(arg.keyword.value)
        elif name in ("order_by", "select_related"):
            if not args:
                return f"`.{name}()` without arguments"
            for arg in args:
                value = arg.value
                if arg.keyword is not None or not isinstance(value, cst.SimpleString):
                    return f"`.{name}()` has a term n1fix cannot read"
                path = str(value.evaluated_value)
                if name == "order_by":
                    path = path.removeprefix("-")
                    if path == "?" or not _single_valued(related, path, models):
                        return _multi_valued(path)
                elif not _relations_only(related, path, models):
                    return f'`select_related("{path}")` does not name relations n1fix can follow'
    return None


def _multi_valued(lookup: str) -> str:
    return (
        f"`{lookup}` is no field reached through single-valued relations: a lookup"
        " through a relation with many rows joins apart in a Prefetch queryset, and"
        " could keep other rows than the related manager's"
    )


def _single_valued(model: ModelInfo, lookup: str, models) -> bool:
    """`lookup` reaches a field of `model`, or through forward foreign keys and
    one-to-ones a field of another model (the parts after it are transforms)."""
    current = model
    for part in lookup.split("__"):
        if part == "pk" or part in current.columns:
            return True
        rel = current.relationship(part)
        if rel is None or rel.uselist is not False or rel.lazy != "select":
            return False
        current = models.get(rel.target) if rel.target and models else None
        if current is None:
            return False
    return True  # ends on a single-valued relation: compares its key


def _relations_only(model: ModelInfo, path: str, models) -> bool:
    current = model
    for part in path.split("__"):
        rel = current.relationship(part) if current is not None else None
        if rel is None or rel.uselist is not False or rel.lazy != "select":
            return False
        current = models.get(rel.target) if rel.target and models else None
    return True


def _to_attr(chain: list[MethodCall], lookup: str) -> str | None:
    """The list's name, as a person would write it from the chain."""
    noun = lookup[: -len("_set")] + "s" if lookup.endswith("_set") else lookup
    conditions = [
        (mc.name, arg) for mc in chain if mc.name in _CONDITIONS for arg in mc.call.args
    ]
    if len(conditions) == 1:
        method, arg = conditions[0]
        field = arg.keyword.value.removesuffix("__exact")  # type: ignore[union-attr]
        value = arg.value
        if (
            "__" not in field
            and isinstance(value, cst.Name)
            and value.value in ("True", "False")
        ):
            kept = (value.value == "True") == (method == "filter")
            stem = field.removeprefix("is_")
            return f"{stem}_{noun}" if kept else f"not_{stem}_{noun}"
    if conditions:
        return f"filtered_{noun}"
    order = next((mc.call.args for mc in chain if mc.name == "order_by"), None)
    if order:
        term = str(order[0].value.evaluated_value).removeprefix("-")  # type: ignore[attr-defined]
        return f"{noun}_by_{term.replace('__', '_')}"
    return None


def _arguments(call: cst.Call) -> str:
    module = cst.Module([])
    return ", ".join(
        (f"{arg.keyword.value}=" if arg.keyword is not None else "")
        + module.code_for_node(arg.value)
        for arg in call.args
    )


def _listed(attrs: list[str]) -> str:
    names = [f"`{a}`" for a in attrs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
