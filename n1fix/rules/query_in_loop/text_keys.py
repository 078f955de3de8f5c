"""UUID keys of a type the code does not show, compared by the batch as text.

`LoginLog.person_id == person["id"]` finds the same rows whether `person["id"]` is a
UUID or its string: the column's type converts what it binds. A batch keyed by the
rows' `person_id` (UUID objects) would miss every key held as a string, and code holds
UUIDs as strings as often as not (zou's serialised rows: `person["id"]`). When nothing
shows which form the keys take, the batch can still answer as the per-item query did by
comparing both sides as text: rows grouped by `str(row.person_id)`, looked up by
`str(person["id"])`. That holds for UUID objects and for the UUID's own spelling
(`str(uuid)`: lower case, hyphenated, as serialisers and JSON write it). A key spelled
another way (upper case, without hyphens, in braces) still matches in SQL but not as
text, so the fix is unsafe and says so.

Only a batch whose lookup is a dict keyed by the rows' column takes text keys (rows of
an entity: `.all()`, `.first()`, one row per key); a COUNT or EXISTS batch is keyed by
what the database returns, and a key of several columns or a batch written by another
dialect are left with no fix.
"""

from __future__ import annotations

from n1fix.analysis.item_facts import key_type_gap
from n1fix.analysis.untyped_sources import uuid_keys_of_unshown_type
from n1fix.orm.dialect import Cardinality, Style

_ROW_LOOKUPS = {
    Cardinality.OPTIONAL,
    Cardinality.ONE,
    Cardinality.FIRST,
    Cardinality.LIST,
}


def text_keys_gap(
    ctx, shape, cardinality, model, key_column: str, key_expr, frame, ancestry
) -> str | None:
    """Why the fix is unsafe when its batch compares the keys as text, or None when the
    batch cannot (the keys are not UUIDs of unshown type, or the batch's lookup is not
    keyed by the rows' column)."""
    column = model.column(key_column) if model is not None else None
    if (
        column is None
        or shape.style is Style.DJANGO
        or shape.values_column is not None
        or cardinality not in _ROW_LOOKUPS
        or not uuid_keys_of_unshown_type(ctx, column, key_expr, frame, ancestry)
    ):
        return None
    return (
        f"`{model.name}.{column.attr}` is a UUID and nothing shows whether the keys are "
        "UUID objects or their strings, so the batch compares both as text (`str()`): "
        "a key spelled otherwise than `str(uuid)` (upper case, no hyphens), which SQL "
        "still matches, would miss"
    )


def settled_by_text(
    ctx, model, key_column: str, key_expr, frame, ancestry, gaps: list[str]
) -> list[str]:
    """`gaps` without the unknown key type, which comparing as text has answered."""
    type_gap = key_type_gap(
        ctx, model, model.column(key_column), key_expr, frame, ancestry
    )
    return [gap for gap in gaps if gap != type_gap]
