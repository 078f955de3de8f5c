"""The `missing-index` rule: the class and its docs in `rule.py`, the project's index
review in `advice.py`, what files declare and use beside it."""

from n1fix.rules.missing_index.rule import MissingIndex

__all__ = ["MissingIndex"]
