"""The project-wide gate of `related-key-via-relationship`.

Whether `x.rel.key` can be a finding depends on the model index (is `rel` a many-to-one
relationship whose target's primary key is `key`?), which the per-file gate does not
have. The rule's survey records the `.rel.key` pairs the file reads on a name whose
model the check may find (`key_reads`, see `reads.owned_key_reads`); once the index is
built, a file goes on only when one of its pairs is a relationship and its target's
primary key (for `self.rel.key` in a method of `Class`, or `x.rel.key` where only
`x = Class(...)` can give `x` a model, a relationship of a model named `Class`; for
`x.rel.key` where `x` is an item of a loop over `y.items`, a relationship of the target
of a relationship named `items`). A pair is written `"rel.key"`, `"Class:rel.key"` or
`"@items:rel.key"`: plain JSON, as a survey's facts must be.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from n1fix.rules.related_key_via_relationship.owners import RELATED
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
    """The index's `rel.key` pairs: of every model, of the models of each name, and of
    the targets of the list-like relationships of each name."""

    every: frozenset[str]
    by_name: dict[str, frozenset[str]]
    by_relationship: dict[str, frozenset[str]] = field(default_factory=dict)

    def any_read(self, facts: list[str]) -> bool:
        for fact in facts:
            name, _, pair = fact.rpartition(":")
            if not name:
                known = self.every
            elif name.startswith(RELATED):
                known = self.by_relationship.get(name[len(RELATED) :], frozenset())
            else:
                known = self.by_name.get(name, frozenset())
            if pair in known:
                return True
        return False


def model_key_pairs(models) -> KeyPairs:
    """`relationship.target primary key` for every many-to-one relationship of the index
    (and `relationship.pk` when the target is a Django model), all together, by the
    last name of the model's qualified name and of its aliases (what `model_for` finds
    for a class's name ends with it), and by the name of each relationship that is not
    one-to-one or many-to-one (`uselist` not False), the pairs of its target: what
    `item_model` gives the items of `owner.rel`."""
    # (imported here: the dialect seam and the model index are not needed at start-up)
    from n1fix.orm.dialect import MANY_TO_ONE

    own: dict[str, set[str]] = {}
    of_model: dict[int, set[str]] = {}  # the same pairs, by the model object's id
    for qualname, model in models.models.items():
        pairs = own[qualname] = of_model[id(model)] = set()
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
    by_relationship: dict[str, set[str]] = {}
    for model in models.models.values():
        for rel in model.relationships.values():
            if rel.uselist is False or not rel.target:
                continue
            target = models.get(rel.target)
            if target is not None:
                by_relationship.setdefault(rel.attr, set()).update(of_model[id(target)])
    return KeyPairs(
        frozenset().union(*own.values()),
        {name: frozenset(pairs) for name, pairs in by_name.items()},
        {name: frozenset(pairs) for name, pairs in by_relationship.items()},
    )
