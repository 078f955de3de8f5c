"""The `first-row-via-all` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.first_row_via_all.rule import FirstRowViaAll

__all__ = ["FirstRowViaAll"]
