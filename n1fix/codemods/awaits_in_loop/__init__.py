"""The `awaits-in-loop` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.awaits_in_loop.rewrite import fix

__all__ = ["fix"]
