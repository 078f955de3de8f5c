"""The `sql-built-from-values` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.sql_built_from_values.rule import SqlBuiltFromValues

__all__ = ["SqlBuiltFromValues"]
