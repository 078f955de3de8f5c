"""The `suppression-without-reason` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.suppression_without_reason.rule import SuppressionWithoutReason

__all__ = ["SuppressionWithoutReason"]
