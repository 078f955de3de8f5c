"""The `query-in-loop` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.query_in_loop.rule import QueryInLoop

__all__ = ["QueryInLoop"]
