"""The `missing-index` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.missing_index.rewrite import fix

__all__ = ["fix"]
