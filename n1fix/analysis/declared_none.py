"""Keys the code declares may be None: `for chain_id in chain_ids` with `chain_ids:
list[int | None]` (or `Optional[int]`, `Union[int, None]` items).

Against a nullable column a None key matters: `col == None` (and `filter_by(col=None)`)
is `IS NULL`, `col.in_([None])` matches nothing. A batched write would leave the rows a
None key wrote untouched, so the declared None is a certain difference, not a possible one.
"""

from __future__ import annotations

import libcst as cst

from n1fix.analysis.item_facts import annotation_element, bindings
from n1fix.cst.chains import dotted_name
from n1fix.cst.loop_frames import Frame


def keys_declared_none(key_expr: cst.BaseExpression, frame: Frame, ancestry) -> bool:
    """Is `key_expr` the loop's item, of an iterable annotated with items that admit
    None, or the literal None?"""
    if isinstance(key_expr, cst.Name) and key_expr.value == "None":
        return True
    iterable = frame.first_iter
    if not (
        isinstance(key_expr, cst.Name)
        and key_expr.value in frame.targets
        and isinstance(iterable, cst.Name)
    ):
        return False
    return any(
        annotation is not None and _admits_none(annotation_element(annotation))
        for _value, annotation in bindings(iterable.value, ancestry)
    )


def _admits_none(annotation: cst.BaseExpression | None) -> bool:
    if annotation is None:
        return False
    if isinstance(annotation, cst.Name) and annotation.value == "None":
        return True
    if isinstance(annotation, cst.BinaryOperation) and isinstance(
        annotation.operator, cst.BitOr
    ):
        return _admits_none(annotation.left) or _admits_none(annotation.right)
    if isinstance(annotation, cst.Subscript):
        head = (dotted_name(annotation.value) or "").rsplit(".", 1)[-1]
        if head == "Optional":
            return True
        if head == "Union":
            return any(
                isinstance(element.slice, cst.Index)
                and _admits_none(element.slice.value)
                for element in annotation.slice
            )
    return False
