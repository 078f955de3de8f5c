"""The project-wide gate of `related-key-via-relationship`.

Whether `x.rel.key` can be a finding depends on the model index (is `rel` a many-to-one
relationship whose target's primary key is `key`?), which the per-file gate does not
have. The rule's survey records every `.a.b` pair the text reads (`key_reads`, a regular
expression: a superset of the reads); once the index is built, a file goes on only when
one of its pairs is a relationship and its target's primary key. A pair is written
`"a.b"`: plain JSON, as a survey's facts must be.
"""

from __future__ import annotations

import re

# `.rel.key` not followed by a call; whitespace around the dots as Python allows it
_PAIR = re.compile(r"\.\s*([A-Za-z_]\w*)\s*\.\s*([A-Za-z_]\w*)\b(?!\s*\()")


def key_reads(text: str) -> list[str]:
    """Every `a.b` the text reads, sorted (so that the cache's bytes are stable)."""
    if "." not in text:
        return []
    return sorted(
        {f"{match.group(1)}.{match.group(2)}" for match in _PAIR.finditer(text)}
    )


def model_key_pairs(models) -> frozenset[str]:
    """`relationship.target primary key` for every many-to-one relationship of the index
    (and `relationship.pk` when the target is a Django model)."""
    # (imported here: the dialect seam and the model index are not needed at start-up)
    from n1fix.orm.dialect import MANY_TO_ONE

    pairs = set()
    for model in models.models.values():
        for rel in model.relationships.values():
            if rel.direction != MANY_TO_ONE or not rel.target:
                continue
            target = models.get(rel.target)
            if target is not None and len(target.primary_key) == 1:
                pairs.add(f"{rel.attr}.{target.primary_key[0]}")
                if target.django is not None:
                    pairs.add(f"{rel.attr}.pk")
    return frozenset(pairs)
