"""Whether the database may compare a column's values differently from Python's `==`.

SQL compares strings under the column's collation: MySQL's and SQL Server's default
collations ignore case (MySQL also trailing spaces), PostgreSQL's CITEXT ignores case, so
`name = 'Finance'` finds the row `finance`. A Python comparison of the same values (a
filter moved into Python, a batch's dict keyed by the fetched rows' values) does not.
Which database a project runs on is not shown by its code, so a string column is never
shown to compare as Python does. An Enum column holds only its members' names: exact.
"""

from __future__ import annotations

# Column types (SQLAlchemy and Django, by their class name) whose values the database
# compares as strings under a collation.
_STRING_TYPES = frozenset(
    {
        "str",
        "string",
        "text",
        "unicode",
        "unicodetext",
        "varchar",
        "nvarchar",
        "char",
        "nchar",
        "clob",
        "tinytext",
        "mediumtext",
        "longtext",
        "citext",
        "charfield",
        "textfield",
        "slugfield",
        "emailfield",
        "urlfield",
        "filepathfield",
        "cicharfield",
        "citextfield",
        "ciemailfield",
    }
)


def is_string_type(type_name: str | None) -> bool:
    """`String`, `sa.String`, `Mapped[str]`'s `str`, `models.CharField`: compared as a
    string by the database."""
    if not type_name:
        return False
    return type_name.rsplit(".", 1)[-1].lower() in _STRING_TYPES


def string_collation_gap(what: str) -> str:
    """Why `what` (a column, as the message names it) may match other rows in SQL than in
    Python."""
    return (
        f"`{what}` is compared as a string: the database's collation (case, trailing "
        "spaces) may match other rows than Python"
    )


def column_collation_gap(model, column) -> str | None:
    """The collation gap of a key column a batch matches rows to in Python, or None when
    its type is not a string type."""
    if not (is_string_type(column.type) or is_string_type(column.python_type)):
        return None
    return string_collation_gap(f"{model.name}.{column.attr}")
