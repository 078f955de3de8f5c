"""The `filter-in-python` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.filter_in_python.rule import FilterInPython

__all__ = ["FilterInPython"]
