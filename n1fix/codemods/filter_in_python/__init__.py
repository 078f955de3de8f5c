"""The `filter-in-python` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.filter_in_python.rewrite import fix

__all__ = ["fix"]
