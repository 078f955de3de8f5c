"""The `sequential-awaits` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.sequential_awaits.rule import SequentialAwaits

__all__ = ["SequentialAwaits"]
