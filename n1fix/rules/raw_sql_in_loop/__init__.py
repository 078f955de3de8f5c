"""The `raw-sql-in-loop` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.raw_sql_in_loop.rule import RawSqlInLoop

__all__ = ["RawSqlInLoop"]
