"""The `related-key-via-relationship` rewrite: `fix(ctx, finding)` in `rewrite.py`."""

from n1fix.codemods.related_key_via_relationship.rewrite import fix

__all__ = ["fix"]
