"""The `raw-sql-in-loop` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.raw_sql_in_loop.rewrite import fix

__all__ = ["fix"]
