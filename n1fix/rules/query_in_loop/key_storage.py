"""Whether keys distinct where they come from stay distinct where the lookup compares
them, and whether a row the loop adds is stored under the key it was built with.

Distinct Python values (a set's), or values distinct under their own column's comparison
(a unique column's), can still meet in the lookup column: its collation may compare
"Foo" and "foo" as one (`collation="NOCASE"`), its type may bind two values as one (a
project's `TypeDecorator`), or a `@validates` method or an ORM event may rewrite the key
of the row the loop adds, which a later item's lookup then finds.
"""

from __future__ import annotations

# SQL and annotated types that bind each value as it is (no rounding, padding or
# rewriting: not Numeric, Float, CHAR, nor a project's own type).
_PLAIN_TYPES = {
    "Integer",
    "BigInteger",
    "SmallInteger",
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "String",
    "Unicode",
    "Text",
    "UnicodeText",
    "VARCHAR",
    "NVARCHAR",
    "TEXT",
    "Uuid",
    "UUID",
    "UUIDType",  # sqlalchemy_utils: a UUID bound as its hex or bytes
    "int",
    "str",
}
# ORM events that run after the row is written, or on loading: none changes the key the
# row is inserted with.
_AFTER_WRITE_EVENTS = {
    "after_insert",
    "after_update",
    "after_delete",
    "after_bulk_update",
    "after_bulk_delete",
    "load",
    "refresh",
    "expire",
}


def plain_key_column(column) -> str | None:
    """Why the lookup column may compare two distinct values as one, or None."""
    if column.collation is not None:
        return (
            f"`{column.attr}` has a collation, which may compare distinct keys as one"
        )
    if column.type not in _PLAIN_TYPES:
        return (
            f"`{column.attr}` is of type `{column.type}`, which may bind distinct keys "
            "as one"
        )
    return None


def same_comparison(source, lookup) -> bool:
    """The key column the rows come from compares as the lookup column does: one type,
    written with the same arguments (length, collation)."""
    return (source.type, source.type_args, source.collation) == (
        lookup.type,
        lookup.type_args,
        lookup.collation,
    )


def key_rewritten(model, column: str) -> bool:
    """A `@validates` method or an ORM event (other than after the write) of the model
    may change the key a new row is stored with."""
    if column in model.validated or "?" in model.validated:
        return True
    return any(event not in _AFTER_WRITE_EVENTS for event, _ in model.listeners)
