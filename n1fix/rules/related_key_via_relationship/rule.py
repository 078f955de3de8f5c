"""## What it does
Finds `obj.rel.id` (the related row's primary key read through a many-to-one
relationship) where `obj`'s model has the foreign key column that holds the same value:
`render.project.id` when `Render` maps `project_id` (on a Django model also
`render.project.pk`: `pk` names every Django model's primary key).

## Why is this bad?
Unless the related row is already loaded, reading `obj.rel` runs a SELECT (one per item
in a loop, and `MissingGreenlet` under `AsyncSession`) only to hand back a key the row
already holds. `obj.rel_id` needs no query and no eager loading.

## Example
```python
for render in renders:
    by_project[render.project.id].append(render)
```

## Use instead
```python
for render in renders:
    by_project[render.project_id].append(render)
```

## Fix safety
The fix is safe when the object is shown to be persistent (loaded from the database) where
it is read, the foreign key references exactly that primary key column (no custom
`primaryjoin`), the column is NOT NULL, and the function neither assigns the relationship
or the column nor builds an object of the model with the relationship given. Persistent
means: the name is bound in the same function only to rows of a query (a loop over a
query's results, `session.get()`, `.first()`, `.one()`...). Otherwise the fix is unsafe:
an object built with `rel=other` and not yet flushed has `obj.rel.id` but a None
`obj.rel_id`, so a parameter, an item of a collection or an object built here cannot
carry a safe fix (a caller may build the object and pass it before a flush). For `self`
in the model's own method no fix is offered: such methods are called on objects being
built (a storage path named when a file is uploaded, before the flush) as often as on
loaded ones, and no caller is visible from the method. It is unsafe too for a NULL key (`obj.rel.id` raises
AttributeError where `obj.rel_id` returns None) and when `obj.rel` or `obj.rel_id` is
assigned in the function (before a flush they disagree).

Not reported: `obj.rel.id` where `obj.rel` is read otherwise wherever the key is read
(`obj.rel.name` beside it, `if obj.rel:` around it): the row is loaded either way, and
reading the column saves no query; nor as the key of `session.get(Target, obj.rel.id)`
(or `query(Target).get(...)`), which loads that row anyway; nor in an `assert` or a `self.assertEqual(...)`-like
call, where a test checks the relationship itself.

## Known problems
The object's model must be known: a loop over a query's rows, an annotated parameter or
variable, a `session.get()`/`.first()`/`.one()` result, or `self` in a model's method.
A persistent object whose relationship another function reassigns before the read (and
before a flush) would still disagree with its column; n1fix does not follow calls.
"""

from __future__ import annotations

import ast
from typing import Iterable

from n1fix.rules.base import FixAvailability, Finding, Rule, Severity
from n1fix.rules.related_key_via_relationship.gate import (
    KeyPairs,
    key_reads,
    model_key_pairs,
)


class RelatedKeyViaRelationship(Rule):
    __doc__ = __doc__
    NAME = "related-key-via-relationship"
    MESSAGE = "Related row loaded only to read a key the row already holds"
    SEVERITY = Severity.MEDIUM
    FIX = FixAvailability.SOMETIMES
    # In a loop: the rows' query, then one SELECT per row's parent; with the column: none.
    ROUND_TRIPS = ("1 + N", "1")
    # The model index `project_gate` last saw, and its `rel.pk` pairs.
    _pairs_of: tuple[object, KeyPairs] | None = None

    def gate(self, tree: ast.Module, text: str) -> bool:
        # Whether `x.rel.key` reads a relationship's primary key depends on the model
        # index, which this per-file gate does not have: `project_gate` lets those files
        # through.
        return False

    def survey(self, tree: ast.Module, text: str) -> list[str]:
        return key_reads(tree, text)

    def project_gate(self, facts: list[str] | None, project) -> bool:
        if project.models is None:
            return False
        if facts is None:
            return True
        # Every file of a run asks about the same index: its pairs are found once.
        if self._pairs_of is None or self._pairs_of[0] is not project.models:
            self._pairs_of = (project.models, model_key_pairs(project.models))
        return self._pairs_of[1].any_read(facts)

    def check(self, ctx) -> Iterable[Finding]:
        from n1fix.rules.related_key_via_relationship.analysis import find

        return find(ctx, self)
