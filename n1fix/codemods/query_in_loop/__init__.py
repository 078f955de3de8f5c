"""The `query-in-loop` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.query_in_loop.rewrite import fix

__all__ = ["fix"]
