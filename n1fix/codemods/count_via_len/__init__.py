"""The `count-via-len` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.count_via_len.rewrite import fix

__all__ = ["fix"]
