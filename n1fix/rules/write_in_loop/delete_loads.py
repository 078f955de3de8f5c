"""`session.delete(row)` per row of a query: load what each delete loads, with the rows.

    tags = session.query(Tag).filter(Tag.name.in_(names))
    for tag in tags:
        session.delete(tag)

Before the DELETEs go out, the session loads each row's one-to-many and many-to-many
collections (unless `passive_deletes`): to delete the children with the row (a delete
cascade, loaded at `session.delete()`) or to set their foreign key to NULL (loaded when
the flush sends the DELETEs). Unloaded, that is a SELECT per row. A `selectinload` of
the collection in the query the rows come from loads every row's collection in one
SELECT; the deletes stay as they were, with all their bookkeeping.

What must be shown (else no fix):
- the rows come from a query n1fix sees (in the function, or a helper of the module
  returning it), whose options it can read; the loop's items are those rows;
- the loop does nothing but delete its item: no commit, flush or expiry between two
  deletes that would drop the loaded collections, no other write;
- no commit, rollback or expiry runs between the query (when it runs before the loop)
  and the loop: it would expire what the option loads;
- every collection it loads is a plain lazy one (`lazy="select"`), which `selectinload`
  loads instead.
Safe when every such collection cascades the delete: the original loads it at
`session.delete()`, in the loop, as the option does with the rows; each load first
autoflushes the deletes before it, which cannot change a collection whose rows have one
foreign key to the table, no other foreign key with an `ON DELETE` action, and no other
delete cascade of the ORM reaching them (else, or when their model is unknown: unsafe);
and nothing between the query and the loop may write (before_loop.py). When the delete
only unlinks the children, the original loads them when the flush sends the DELETEs,
which may be later: a child row written in between without going through the
relationship (a Core INSERT) would be missed by the rows loaded before. That fix is
unsafe.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from n1fix.analysis.item_facts import bindings
from n1fix.analysis.row_sources import Source, row_source
from n1fix.orm.dialect import Loading, Style
from n1fix.rules.base import Applicability
from n1fix.rules.write_in_loop.before_loop import Between, between_query_and_loop
from n1fix.rules.write_in_loop.cascade_paths import cascades_delete, other_cascade_to


@dataclass
class DeleteLoadsPlan:
    """`selectinload(<entity>.<attr>)` for each of `attrs`, added to the query the
    deleted rows come from."""

    source: Source
    attrs: tuple[str, ...]


def delete_loads_plan(
    ctx, loop: cst.For, ancestry, call: cst.Call, model, loaded: list
) -> tuple[Applicability, str, DeleteLoadsPlan | None] | None:
    """(applicability, why, plan) for a `session.delete(item)` per row whose delete
    loads `loaded` (the model's collections); None when the query already loads every
    one of them (no SELECT per row)."""
    source = row_source(ctx, loop.iter, ancestry)
    if (
        source is None
        or source.model is None
        or source.model.qualname != model.qualname
    ):
        return Applicability.NONE, _no_query(model, loaded), None
    if source.options.opaque:
        return Applicability.NONE, _no_query(model, loaded), None

    def loading(rel) -> Loading:
        return ctx.orm.loading(source.options, (rel.attr,), rel)

    lazy = [rel for rel in loaded if loading(rel) is not Loading.EAGER]
    if not lazy:
        return None  # the query loads them with the rows
    options = ", ".join(f"selectinload({source.entity_code}.{r.attr})" for r in lazy)
    named = _and(f"`{model.name}.{r.attr}`" for r in lazy)
    blocker = _loop_blocker(loop, call)
    odd = next(
        (
            r
            for r in lazy
            if loading(r) is not Loading.LAZY or r.lazy not in _PLAIN_LAZY
        ),
        None,
    )
    if blocker is None and odd is not None:
        blocker = f"`{model.name}.{odd.attr}` is not loaded by a plain lazy SELECT"
    between = _between(ctx, loop, ancestry, source)
    if blocker is None and between is not None and between.expires:
        why = (
            f"{between.what}: it expires what `{options}` would load with the rows, and"
            " each `delete()` loads its own again; add the option to a query run after"
            " it, or let the database do it (`ON DELETE` with `passive_deletes=True`)"
        )
        return Applicability.NONE, why, None
    if blocker:
        why = (
            f"{blocker}; load {named} with `{options}` in the query that fetched the"
            " rows, or let the database do it (`ON DELETE` with `passive_deletes=True`)"
        )
        return Applicability.NONE, why, None
    plan = DeleteLoadsPlan(source, tuple(r.attr for r in lazy))
    if source.helper is not None:
        why = (
            f"`{options}` goes into `{source.helper}()`, which returns the rows: every"
            " caller of it loads them from then on"
        )
        return Applicability.UNSAFE, why, plan
    if between is not None:
        why = (
            f"`{options}` loads every row's {_and(r.attr for r in lazy)} with the rows;"
            f" but {between.what}: it may write what each `delete()` loaded after its"
            " autoflush, and the option, run before it, would miss"
        )
        return Applicability.UNSAFE, why, plan
    unlinked = [r for r in lazy if not cascades_delete(r)]
    if not unlinked:
        doubly = _doubly_linked(ctx, model, lazy)
        if doubly:
            why = (
                f"`{options}` loads every row's {_and(r.attr for r in lazy)} with the"
                f" rows; but {doubly}: each `delete()` loaded its own after the"
                " autoflush of the deletes before it, which may have removed or changed"
                " such rows, where rows loaded before the loop still hold them (and"
                " delete them again)"
            )
            return Applicability.UNSAFE, why, plan
        why = (
            f"`{options}` loads every row's {_and(r.attr for r in lazy)} with the rows,"
            " where each `delete()` loaded its own (the delete cascades to them)"
        )
        return Applicability.SAFE, why, plan
    attrs = _and(f"`{r.attr}`" for r in unlinked)
    why = (
        f"`{options}` loads every row's {_and(r.attr for r in lazy)} with the rows; the"
        f" original loaded {attrs} when the flush sent the DELETEs (to unlink them),"
        " which may be later: a row written in between other than through the"
        " relationship would not be unlinked"
    )
    return Applicability.UNSAFE, why, plan


def _between(ctx, loop, ancestry, source: Source) -> Between | None:
    """What may touch the session between the query that loads the rows (when it
    runs before the loop: a list, a result) and the loop."""
    if not isinstance(loop.iter, cst.Name):
        return None  # the query runs at the loop
    if source.shape.style is Style.V1 and source.shape.terminal is None:
        return None  # a Query: it runs when the loop iterates it
    found = bindings(loop.iter.value, ancestry)
    if len(found) != 1 or found[0][0] is None:
        return Between(
            "n1fix cannot tell what runs between the rows' query and the loop", False
        )
    return between_query_and_loop(ctx, loop, ancestry, found[0][0])


def _doubly_linked(ctx, model, rels) -> str | None:
    """Why a row of one of `rels` may be changed by the deletes of other rows of
    `model`'s table (its model unknown, a second foreign key to that table, another
    foreign key with an ON DELETE action, another cascade path to it), or None."""
    for rel in rels:
        target = ctx.project.models.get(rel.target or "")
        if target is None:
            return f"the model of `{model.name}.{rel.attr}` is not known"
        links = [
            column.attr
            for column in target.columns.values()
            if (column.foreign_key or "").split(".", 1)[0] == model.table
        ]
        if len(links) != 1:
            return (
                f"`{target.name}` has {len(links)} foreign keys to `{model.table}`"
                f" ({', '.join(links) or 'none n1fix reads'})"
            )
        acting = next(
            (
                column
                for column in target.columns.values()
                if column.foreign_key
                and column.attr != links[0]
                and column.ondelete not in _INERT_ON_DELETE
            ),
            None,
        )
        if acting is not None:
            return (
                f"`{target.name}.{acting.attr}` is a foreign key with `ON DELETE"
                f" {acting.ondelete}`"
            )
        elsewhere = other_cascade_to(ctx, model, rel)
        if elsewhere is not None:
            return elsewhere
    return None


# What the database does to a child row when the row its foreign key names is deleted:
# nothing (it refuses the delete instead); any other action may remove or change the
# row of a collection between two deletes of the loop.
_INERT_ON_DELETE = {None, "RESTRICT", "NO ACTION"}


def _and(words) -> str:
    words = list(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and {words[-1]}"


# A relationship loaded on first access by a SELECT of its rows, which `selectinload`
# replaces (a dynamic or write-only one takes no loader option).
_PLAIN_LAZY = {"select", "True", "true"}


def _loop_blocker(loop: cst.For, call: cst.Call) -> str | None:
    """Why the loop is not one that only deletes its items, or None."""
    if loop.asynchronous is not None:
        return "an `async for` loop's rows are produced as it runs"
    if loop.orelse is not None:
        return "the loop has an `else:` block"
    body = loop.body
    statements = list(body.body) if isinstance(body, cst.IndentedBlock) else [body]
    only = statements[0] if len(statements) == 1 else None
    small = (
        only.body[0]
        if isinstance(only, cst.SimpleStatementLine) and len(only.body) == 1
        else None
    )
    if not (
        isinstance(small, cst.Expr)
        and (
            small.value is call
            or (isinstance(small.value, cst.Await) and small.value.expression is call)
        )
    ):
        return "the loop does more than delete its rows"
    return None


def _no_query(model, loaded) -> str:
    rel = loaded[0]
    return (
        "a bulk `delete(...).where(... in_(...))` would skip that ORM bookkeeping"
        " (cascades, unlinking children, events), so n1fix offers no rewrite; load"
        f" `{model.name}.{rel.attr}` with `selectinload` in the query that fetched the"
        " rows, or let the database do it (`ON DELETE` with `passive_deletes=True`)"
    )
