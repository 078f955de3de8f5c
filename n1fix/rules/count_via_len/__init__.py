"""The `count-via-len` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.count_via_len.rule import CountViaLen

__all__ = ["CountViaLen"]
