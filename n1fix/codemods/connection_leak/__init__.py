"""The `connection-leak` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.connection_leak.rewrite import fix

__all__ = ["fix"]
