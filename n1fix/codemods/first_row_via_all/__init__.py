"""The `first-row-via-all` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.first_row_via_all.rewrite import fix

__all__ = ["fix"]
