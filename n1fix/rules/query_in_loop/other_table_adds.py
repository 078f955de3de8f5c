"""Rows the loop adds to another table than the one its lookup reads.

    for group in new_groups:
        tokengroup = session.execute(select(Tokengroup).filter_by(name=group)).scalar_one_or_none()
        if tokengroup is None:
            continue
        session.add(TokenTokengroup(token_id=token.id, tokengroup_id=tokengroup.id))

Each item adds a link row; autoflush sends it before the next item's lookup. The lookup
reads `tokengroup` alone, so no row of `tokentokengroup` can change what it returns, and
the lookups batched before the loop return what each one did. This holds when:

- the added object is a new row built in the loop by a constructor shown to set columns
  only and to write nothing (`built_rows`): no relationship brings a row of the looked-up
  table with it;
- the two models map different tables, and neither inherits the other (a subclass row is
  also a row of its parent's table);
- the added model has no ORM event listeners (a `before_insert` hook may write anywhere),
  and the project registers no Session event listener (a `before_flush` on
  `db.session` sees every object the loop adds, and may add a looked-up row for it);
- the lookup names nothing of the added model and carries no loader options, and the
  looked-up model loads no relationship eagerly that could reach the added rows (a
  collection loaded after an earlier item's link was flushed would hold it, one loaded
  by the batch before the loop would not; one eager relationship may lead to another,
  so any eager one counts).

The rows still go to the database at the next flush or commit, as they did; only an
error in inserting them (a unique violation) is raised there rather than at the next
item's lookup.
"""

from __future__ import annotations

import libcst as cst

from n1fix.cst.loop_frames import Frame
from n1fix.cst.syntax import walk
from n1fix.rules.query_in_loop.added_object import added_object
from n1fix.rules.query_in_loop.built_rows import built_row

# Loader strategies that read the relationship only when it is touched, after the loop
# has flushed what it added, as the original did.
_LOADED_ON_ACCESS = {"select", "True", "dynamic", "write_only", "noload", "raise"}
_LOADED_ON_ACCESS |= {"raise_on_sql"}


def adds_other_table_row(
    ctx, call: cst.Call, frame: Frame, model, query_nodes: list[cst.CSTNode]
) -> str | None:
    """Why `call` (`session.add(obj)` in the loop) cannot change what the lookup of
    `model` (written in `query_nodes`) returns, or None when that is not shown."""
    if model is None or not model.table or model.django is not None:
        return None
    if not (
        frame.is_for
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "add"
    ):
        return None
    built = added_object(frame.node.body, call)
    if built is None:
        return None
    models = ctx.project.models
    added = models.resolve(ctx.code(built.func), ctx.imports, ctx.module_name)
    if (
        added is None
        or added.qualname == model.qualname
        or not added.table
        or added.table == model.table
        or added.django is not None
        or added.listeners
        or models.session_listeners
        or _related_by_inheritance(models, model, added)
        or built_row(ctx, added, built) is None
        or _lookup_reaches(model, added, query_nodes)
    ):
        return None
    return (
        f"the rows the loop adds are `{added.name}` rows, of another table "
        f"(`{added.table}`), which the `{model.name}` lookup does not read"
    )


def _related_by_inheritance(models, one, other) -> bool:
    return _inherits(models, one, other) or _inherits(models, other, one)


def _inherits(models, child, parent) -> bool:
    seen = set()
    current = child
    while current is not None and current.inherits and current.qualname not in seen:
        seen.add(current.qualname)
        if current.inherits == parent.qualname:
            return True
        current = models.get(current.inherits)
        if current is None:
            return True  # a parent n1fix cannot read may be anything
    return False


def _lookup_reaches(model, added, query_nodes: list[cst.CSTNode]) -> bool:
    """The lookup may read the added model's rows: it names the model or its table,
    or loads relationships by options or eagerly by the looked-up model's mapping."""
    for node in query_nodes:
        for inner in [node, *walk(node)]:
            if isinstance(inner, cst.Name) and inner.value == added.name:
                return True
            if isinstance(inner, cst.Attribute) and inner.attr.value == added.name:
                return True
            if isinstance(inner, cst.Attribute) and inner.attr.value == "options":
                return True
            if isinstance(inner, cst.SimpleString) and added.table in inner.value:
                return True  # SQL text may name its table
    # An eager relationship may reach the added rows through other models' eager ones.
    return any(
        relationship.lazy not in _LOADED_ON_ACCESS
        for relationship in model.relationships.values()
    )
