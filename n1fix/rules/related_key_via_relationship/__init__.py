"""The `related-key-via-relationship` rule: the class and its docs in `rule.py`, its detection beside it."""

from n1fix.rules.related_key_via_relationship.rule import RelatedKeyViaRelationship

__all__ = ["RelatedKeyViaRelationship"]
