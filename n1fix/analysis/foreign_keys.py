"""The foreign key column a many-to-one read goes through: `obj.rel.id` is `obj.rel_id`
when the relationship's one foreign key column references the target's primary key
(on a Django model, `obj.rel.pk` too: `pk` is every Django model's name for its primary
key)."""

from __future__ import annotations

from dataclasses import dataclass

from n1fix.orm.dialect import MANY_TO_ONE


@dataclass(frozen=True)
class ForeignKey:
    attr: str  # the foreign key column's attribute on the owner (`project_id`)
    exact: bool  # it references exactly the target's primary key column, with no custom join
    nullable: bool


def primary_key_attr(target, attr: str) -> str:
    """The primary key attribute `attr` reads on `target`: Django's `pk` is its primary
    key field (`id`, or the one with `primary_key=True`)."""
    if attr == "pk" and target.django is not None and len(target.primary_key) == 1:
        return target.primary_key[0]
    return attr


def foreign_key_for(model, rel, target, attr: str) -> ForeignKey | None:
    """The owner's foreign key column that `model.rel.attr` reads through, when `attr` is
    the target's (single-column) primary key; None otherwise."""
    if (
        rel is None
        or target is None
        or rel.direction != MANY_TO_ONE
        or rel.secondary
        or rel.uselist is not False
    ):
        return None
    attr = primary_key_attr(target, attr)
    if target.primary_key != (attr,) or len(rel.foreign_key_attrs) != 1:
        return None
    column = model.column(rel.foreign_key_attrs[0])
    if column is None:
        return None
    referenced = target.column(attr)
    exact = False
    if column.foreign_key and "." in column.foreign_key and not rel.primaryjoin:
        table, _, name = column.foreign_key.rpartition(".")
        same_table = target.table is not None and (
            table == target.table or table.endswith("." + target.table)
        )
        exact = same_table and name == referenced.name
    return ForeignKey(column.attr, exact, column.nullable)
