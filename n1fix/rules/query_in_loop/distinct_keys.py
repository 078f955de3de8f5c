"""Keys shown distinct by the rows the loop iterates, and the writes that distinctness
makes harmless to a batch.

A get-or-create loop (`existing = M.query.filter_by(k=row.k).first()`, then
`session.add(M(k=row.k))` when missing) reads what earlier items wrote: batched before
the loop, a key repeated in the items would miss the row its first item created and
create it twice. When no key comes twice, and each row the loop adds carries its own
item's key, no later item's lookup can see an earlier item's row, so the batch returns
what every lookup did. The keys are distinct when:

- the loop iterates the rows of one query of model `R` (no join, no other table in its
  filters: those can repeat a row; `filter_reads`), or a one-to-many relationship's
  collection, and the key is `row.c` where `c` is unique in `R` given the columns the
  query fixes by equality to a value (a single-column primary key or `unique=True`
  column; a composite primary key or unique constraint whose other columns the query,
  or the relationship's foreign key, fixes; a partial unique index is none), every
  column of it NOT NULL (unique constraints let NULLs repeat), and `c` is of the lookup
  column's type and collation;
- or the items are a set, or a dict's keys (`shared_session.keys_distinct`);

and the lookup column compares distinct values as distinct (`key_storage`: no
collation, a type that binds values as they are).
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import bindings, model_of_name
from n1fix.analysis.row_sources import row_source
from n1fix.cst.chains import unwind
from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import COMPREHENSIONS, walk
from n1fix.rules.query_in_loop.added_object import added_object
from n1fix.rules.query_in_loop.built_rows import built_row
from n1fix.rules.query_in_loop.filter_reads import pinned_by_values
from n1fix.rules.query_in_loop.key_storage import (
    key_rewritten,
    plain_key_column,
    same_comparison,
)
from n1fix.rules.query_in_loop.shared_session import keys_distinct

# Chain calls that only filter, order or slice the rows of one entity: none repeats a row.
_ROW_PRESERVING = {
    "query",
    "select",
    "where",
    "filter",
    "filter_by",
    "order_by",
    "limit",
    "offset",
    "options",
    "execution_options",
    "distinct",
    "yield_per",
    "with_for_update",
    "populate_existing",
    "autoflush",
    "params",
    "all",
    "scalars",
    "unique",
}
_LENGTH_READERS = {"len", "bool"}


def distinct_keys_proof(
    ctx, frame: Frame, keys_key: cst.BaseExpression, ancestry, lookup
) -> str | None:
    """Why no key comes twice among the lookups the loop runs on the column `lookup`
    (its `ColumnInfo`; None: unknown), or None when that is not shown. A lookup inside
    a nested loop runs several times an item, with one key."""
    between = ancestry[frame.index + 1 : -1]
    if any(isinstance(n, (cst.For, cst.While, *COMPREHENSIONS)) for n in between):
        return None
    if lookup is None or plain_key_column(lookup) is not None:
        return None
    if keys_distinct(frame, keys_key, ancestry):
        return "the keys are distinct: the loop iterates a set (or a dict's keys)"
    if not frame.is_for or not isinstance(frame.node.target, cst.Name):
        return None
    target = frame.node.target.value
    if not (
        isinstance(keys_key, cst.Attribute)
        and isinstance(keys_key.value, cst.Name)
        and keys_key.value.value == target
    ):
        return None
    rows = _iterated_rows(ctx, frame, ancestry)
    if rows is None:
        return None
    model, pinned, where = rows
    column = keys_key.attr.value
    unique = _unique_given(model, column, pinned)
    source_column = model.column(column)
    if (
        unique is None
        or source_column is None
        or not same_comparison(source_column, lookup)
    ):
        return None  # another type or collation may compare distinct keys as one
    fixed = sorted(set(unique) - {column})
    given = f" with `{'`, `'.join(fixed)}` fixed by {where}" if fixed else ""
    return (
        f"the keys are distinct: `{ctx.code(keys_key)}` reads `{model.name}.{column}`, "
        f"unique{given} (NOT NULL), of the rows the loop iterates"
    )


def _iterated_rows(ctx, frame: Frame, ancestry):
    """(model, the columns fixed to one value for every row, what fixes them) of the
    rows the loop iterates, when each row comes once: one query of one entity, or a
    one-to-many collection; else None."""
    iterable = frame.first_iter
    if isinstance(iterable, cst.Name) and not _only_read(iterable.value, ancestry):
        return None
    if isinstance(iterable, cst.Attribute) and isinstance(iterable.value, cst.Name):
        return _collection_rows(ctx, iterable, frame, ancestry)
    source = row_source(ctx, iterable, ancestry)
    if source is None or source.model is None:
        return None
    names: set[str] = set()
    for expression in (source.layout, source.chain):
        names |= {call.name for call in unwind(expression)[1]}
    if names - _ROW_PRESERVING:
        return None
    model = source.model
    if model.query_class is not None and (
        model.query_overrides is None or names & model.query_overrides
    ):
        return None  # a project's query class may mean something else by them
    pinned = pinned_by_values(ctx, source, ancestry)
    if pinned is None:
        return None  # another table in the FROM list can repeat a row
    return model, pinned, "the loop's query"


def _collection_rows(ctx, iterable: cst.Attribute, frame: Frame, ancestry):
    """`parent.children` for a one-to-many relationship: each child row once, its
    foreign key fixed to the parent."""
    owner = model_of_name(ctx, iterable.value.value, ancestry, frame)
    if owner is None:
        return None
    relationship = owner.relationship(iterable.attr.value)
    if (
        relationship is None
        or relationship.direction != "one_to_many"
        or relationship.secondary
        or relationship.primaryjoin
        or relationship.uselist is False
        or not relationship.target
    ):
        return None
    target = ctx.project.models.get(relationship.target)
    if target is None or _collection_changed(ctx, iterable, ancestry):
        return None
    return (
        target,
        set(relationship.foreign_key_attrs),
        f"the relationship `{owner.name}.{relationship.attr}`",
    )


def _unique_given(model, column: str, pinned: set[str]) -> tuple[str, ...] | None:
    """A set of NOT NULL columns unique together that holds `column` and otherwise only
    `pinned` columns: then `column` alone tells the rows apart."""
    candidates = [model.primary_key]
    candidates += [(attr,) for attr, info in model.columns.items() if info.unique]
    candidates += list(model.unique_sets)
    for attrs in candidates:
        if not attrs or column not in attrs:
            continue
        if not set(attrs) - {column} <= pinned:
            continue
        infos = [model.column(attr) for attr in attrs]
        if all(
            info is not None and (info.primary_key or not info.nullable)
            for info in infos
        ):
            return tuple(attrs)
    return None


def _last_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def _only_read(name: str, ancestry) -> bool:
    """The name is bound once in the function and otherwise only iterated or measured:
    nothing appends to it, and no callee is handed it."""
    if len(bindings(name, ancestry)) != 1:
        return False
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return False
    allowed: set[int] = set()
    for node in walk(function.body):
        if isinstance(node, (cst.For, cst.CompFor)):
            allowed.add(id(node.iter))
        elif isinstance(node, cst.AssignTarget):
            allowed.add(id(node.target))
        elif isinstance(node, cst.Attribute):
            allowed.add(id(node.attr))  # `x.name`: not the variable
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            allowed.add(id(node.keyword))
        elif (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value in _LENGTH_READERS
            and len(node.args) == 1
        ):
            allowed.add(id(node.args[0].value))
        elif isinstance(node, (cst.If, cst.While)):
            allowed.add(id(node.test))
    return not any(
        isinstance(node, cst.Name) and node.value == name and id(node) not in allowed
        for node in walk(function.body)
    )


def _collection_changed(ctx, iterable: cst.Attribute, ancestry) -> bool:
    """A method is called on the collection in the function (`parent.children.append`)."""
    function = next(
        (n for n in reversed(ancestry) if isinstance(n, cst.FunctionDef)), None
    )
    if function is None:
        return True
    written = ctx.code(iterable)
    for node in walk(function.body):
        if isinstance(node, cst.Attribute) and ctx.code(node.value) == written:
            return True
        if isinstance(node, (cst.AssignTarget, cst.AugAssign)) and (
            ctx.code(node.target) == written
        ):
            return True
    return False


def adds_own_row(
    ctx,
    call: cst.Call,
    frame: Frame,
    keys: tuple[cst.BaseExpression, ...],
    model,
    column: str,
    ancestry,
) -> bool:
    """`session.add(obj)` after the lookup (at `ancestry[-1]`, run once an item), where
    `obj` is a new `model` row built in the loop from columns only, by the ORM's
    constructor or an `__init__` shown to copy `column` from its keyword (`built_rows`),
    with `column=` the item's key (as written in `keys`): with the keys distinct, no
    later item's lookup can match it, nor can its own, run before."""
    if model is None or key_rewritten(model, column):
        return False
    between = ancestry[frame.index + 1 : -1]
    if any(isinstance(n, (cst.For, cst.While, *COMPREHENSIONS)) for n in between):
        return False  # the lookup runs more than once an item
    order = {id(n): i for i, n in enumerate(walk(frame.node.body))}
    if order.get(id(call), -1) <= order.get(id(ancestry[-1]), len(order)):
        return False  # added before the item's own lookup, which would find it
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "add"):
        return False
    built = added_object(frame.node.body, call)
    if not (
        isinstance(built, cst.Call)
        and _last_name(built.func) == model.name
        and not _key_set_on_objects(frame.node.body, column)
    ):
        return False
    row = built_row(ctx, model, built)
    if row is None or column not in row.copied:
        return False  # not shown to build the row from columns, its key from the item
    key_codes = {ctx.code(key) for key in keys}
    return any(
        arg.keyword is not None
        and arg.keyword.value == column
        and ctx.code(arg.value) in key_codes
        for arg in built.args
    )


def _key_set_on_objects(body: cst.CSTNode, column: str) -> bool:
    """`obj.<column> = ...` somewhere in the loop: an added row's key may change after
    it was built."""
    return any(
        isinstance(node, (cst.AssignTarget, cst.AugAssign))
        and isinstance(node.target, cst.Attribute)
        and node.target.attr.value == column
        for node in walk(body)
    )
