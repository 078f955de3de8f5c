"""The `whole-rows-for-one-column` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.whole_rows_for_one_column.rewrite import fix

__all__ = ["fix"]
