"""The `unused-suppression` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.unused_suppression.rewrite import fix

__all__ = ["fix"]
