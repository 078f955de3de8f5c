"""Whether the code shows that the object a name holds is persistent (loaded from the
database) where it is read, so that its foreign key columns hold what its many-to-one
relationships point at.

An object built with its relationship set (`Child(parent=p)`) and not yet flushed has
`child.parent.id` but a `child.parent_id` of None. The proof n1fix accepts: the name is
bound, in the same function, only to rows of a query (a loop over a query's results, or
`session.get()`, `.first()`, `.one()`, `.scalar_one_or_none()`...). A parameter, `self`,
an object built or taken from a collection here have no such proof.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import bindings
from n1fix.cst.loop_frames import frames_of
from n1fix.orm.dialect import Cardinality

_ONE_ROW = (Cardinality.OPTIONAL, Cardinality.ONE, Cardinality.FIRST)
_SAME_ROWS = {"enumerate", "list", "tuple", "sorted", "reversed"}


def unproven_persistent(ctx, name: str, ancestry) -> str | None:
    """Why n1fix cannot show that `name` holds a persistent object here (None: it can)."""
    if name == "self":
        return "`self` in a method of the model: a caller may build the object with its relationship set and call the method before a flush, while the foreign key column is still None"
    for frame in reversed(frames_of(ancestry)):
        if name in frame.targets:
            iterable = frame.first_iter
            if _query_rows(ctx, iterable, ancestry):
                return None
            return f"`{name}` is an item of `{ctx.code(iterable)}`, which n1fix cannot show holds rows loaded from the database (an object not yet flushed has its foreign key None)"
    found = bindings(name, ancestry, comprehensions=False)
    if found and all(_one_row(ctx, value) for value, _ in found):
        return None
    if any(value is None and annotation is not None for value, annotation in found):
        return f"`{name}` is passed in: a caller may pass an object built with its relationship set and not yet flushed, whose foreign key column is still None"
    return f"n1fix cannot show that `{name}` was loaded from the database (an object not yet flushed has its foreign key None)"


def _one_row(ctx, value) -> bool:
    shape = (
        ctx.orm.query_shape(value) if isinstance(value, (cst.Call, cst.Await)) else None
    )
    return (
        shape is not None and shape.entity is not None and shape.cardinality in _ONE_ROW
    )


def _query_rows(ctx, iterable, ancestry) -> bool:
    """A query's results, directly or through a name bound only to them (also through
    `enumerate()`, `sorted()`, `list()`...)."""
    while (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value in _SAME_ROWS
        and iterable.args
    ):
        iterable = iterable.args[0].value
    if isinstance(iterable, cst.Name):
        found = bindings(iterable.value, ancestry)
        return bool(found) and all(_list_query(ctx, value) for value, _ in found)
    return _list_query(ctx, iterable)


def _list_query(ctx, value) -> bool:
    shape = (
        ctx.orm.query_shape(value) if isinstance(value, (cst.Call, cst.Await)) else None
    )
    return (
        shape is not None
        and shape.entity is not None
        and shape.cardinality is Cardinality.LIST
    )
