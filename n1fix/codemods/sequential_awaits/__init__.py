"""The `sequential-awaits` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.sequential_awaits.rewrite import fix

__all__ = ["fix"]
