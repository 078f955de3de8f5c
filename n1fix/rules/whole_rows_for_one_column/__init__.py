"""The `whole-rows-for-one-column` rule: the class and its docs in `rule.py`, its
detection beside it."""

from n1fix.rules.whole_rows_for_one_column.rule import WholeRowsForOneColumn

__all__ = ["WholeRowsForOneColumn"]
