"""The `lazy-load-in-loop` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.lazy_load_in_loop.rewrite import fix

__all__ = ["fix"]
