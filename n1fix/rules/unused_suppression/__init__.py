"""The `unused-suppression` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.unused_suppression.rule import UnusedSuppression

__all__ = ["UnusedSuppression"]
