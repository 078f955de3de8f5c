"""The project-wide gate of `related-key-via-relationship`.

Whether `x.rel.key` can be a finding depends on the model index (is `rel` a many-to-one
relationship whose target's primary key is `key`?), which the per-file gate does not
have. The rule's survey records the `.rel.key` pairs the file reads on a name whose
model the check may find (`key_reads`, see `reads.owned_key_reads`); once the index is
built, a file goes on only when one of its pairs is a relationship and its target's
primary key (for `self.rel.key` in a method of `Class`, or `x.rel.key` where only
`x = Class(...)` can give `x` a model, a relationship of a model named `Class`). A
pair is written `"rel.key"`, or `"Class:rel.key"`: plain JSON, as a survey's facts
must be.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from n1fix.rules.related_key_via_relationship.reads import owned_key_reads

# `.rel.key` not followed by a call; whitespace around the dots as Python allows it
_PAIR = re.compile(r"\.\s*([A-Za-z_]\w*)\s*\.\s*([A-Za-z_]\w*)\b(?!\s*\()")


def key_reads(tree: ast.Module, text: str) -> list[str]:
    """The file's pairs, sorted (so that the cache's bytes are stable)."""
    if "." not in text or _PAIR.search(text) is None:
        return []
    return sorted(owned_key_reads(tree))


@dataclass(frozen=True)
class KeyPairs:
    """The index's `rel.key` pairs: of every model, and of the models of each name."""

    every: frozenset[str]
    by_name: dict[str, frozenset[str]]

    def any_read(self, facts: list[str]) -> bool:
        for fact in facts:
            name, _, pair = fact.rpartition(":")
            if pair in (self.by_name.get(name, ()) if name else self.every):
                return True
        return False


def model_key_pairs(models) -> KeyPairs:
    """`relationship.target primary key` for every many-to-one relationship of the index
    (and `relationship.pk` when the target is a Django model), all together and by the
    last name of the model's qualified name and of its aliases (what `model_for` finds
    for a class's name ends with it)."""
    # (imported here: the dialect seam and the model index are not needed at start-up)
    from n1fix.orm.dialect import MANY_TO_ONE

    own: dict[str, set[str]] = {}
    for qualname, model in models.models.items():
        pairs = own[qualname] = set()
        for rel in model.relationships.values():
            if rel.direction != MANY_TO_ONE or not rel.target:
                continue
            target = models.get(rel.target)
            if target is not None and len(target.primary_key) == 1:
                pairs.add(f"{rel.attr}.{target.primary_key[0]}")
                if target.django is not None:
                    pairs.add(f"{rel.attr}.pk")
    by_name: dict[str, set[str]] = {}
    named = [*((q, q) for q in own), *models.aliases.items()]
    for name, qualname in named:
        if qualname in own:
            by_name.setdefault(name.rsplit(".", 1)[-1], set()).update(own[qualname])
    return KeyPairs(
        frozenset().union(*own.values()),
        {name: frozenset(pairs) for name, pairs in by_name.items()},
    )
