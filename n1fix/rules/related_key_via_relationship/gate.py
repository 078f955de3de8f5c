"""The project-wide gate of `related-key-via-relationship`.

Whether `x.rel.key` can be a finding depends on the model index (is `rel` a many-to-one
relationship whose target's primary key is `key`?), which the per-file gate does not
have. The survey records every `.a.b` pair the text reads (`key_reads`, a regular
expression: a superset of the reads); once the index is built, a file goes on only when
one of its pairs is a relationship and its target's primary key.
"""

from __future__ import annotations

import re

from n1fix.orm.models import MANY_TO_ONE

NAME = "related-key-via-relationship"
# `.rel.key` not followed by a call; whitespace around the dots as Python allows it
_PAIR = re.compile(r"\.\s*([A-Za-z_]\w*)\s*\.\s*([A-Za-z_]\w*)\b(?!\s*\()")


def key_reads(text: str) -> set[tuple[str, str]]:
    if "." not in text:
        return set()
    return {(match.group(1), match.group(2)) for match in _PAIR.finditer(text)}


def model_key_pairs(models) -> frozenset[tuple[str, str]]:
    """(relationship, target primary key) for every many-to-one relationship of the index."""
    cached = getattr(models, "_related_key_pairs", None)
    if cached is not None:
        return cached
    pairs = set()
    for model in models.models.values():
        for rel in model.relationships.values():
            if rel.direction != MANY_TO_ONE or not rel.target:
                continue
            target = models.get(rel.target)
            if target is not None and len(target.primary_key) == 1:
                pairs.add((rel.attr, target.primary_key[0]))
    found = frozenset(pairs)
    models._related_key_pairs = found
    return found


def gate_on_model_keys(survey, project) -> None:
    """Add the rule to a surveyed file's gated rules when it reads `x.rel.pk`."""
    if survey.gated is None or NAME in survey.gated or project.models is None:
        return
    reads = getattr(survey, "key_reads", None)
    if reads is None or reads & model_key_pairs(project.models):
        survey.gated.append(NAME)
