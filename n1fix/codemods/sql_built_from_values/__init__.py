"""The `sql-built-from-values` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.sql_built_from_values.rewrite import fix

__all__ = ["fix"]
