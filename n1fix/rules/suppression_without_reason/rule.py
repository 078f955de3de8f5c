"""## What it does
With `--require-reason` (or `require-reason = true` in `[tool.n1fix]`), finds
`# n1fix: ignore` comments that give no reason after the rule list. Off otherwise: it runs
only when asked for, by that option or by naming it in `select`.

## Why is this bad?
A suppression is a decision that a query per item is acceptable here. Without the reason
(a bounded list, an admin page, a loop that must see its own writes) the next reader
cannot tell whether it still holds, and reviewers cannot check it.

## Example
```python
for user in users:  # n1fix: ignore[query-in-loop]
    send_digest(session.scalars(select(Project).where(Project.user_id == user.id)).all())
```

## Use instead
```python
for user in users:  # n1fix: ignore[query-in-loop] at most 3 admins; runs nightly
    send_digest(session.scalars(select(Project).where(Project.user_id == user.id)).all())
```

## Fix safety
No fix is offered: only a person knows the reason.

## Known problems
Any text after the rule list counts as a reason; n1fix does not judge it.
"""

from __future__ import annotations

import ast
from typing import Iterable

from n1fix.rules.base import FixAvailability, Finding, Rule, Severity
from n1fix.rules.suppression_review import (
    finding_at_comment,
    has_suppression_comment,
    silenced_by_itself,
)


class SuppressionWithoutReason(Rule):
    __doc__ = __doc__
    NAME = "suppression-without-reason"
    MESSAGE = "Suppression comment without a reason"
    SEVERITY = Severity.LOW
    FIX = FixAvailability.NONE
    # Asked for with --require-reason (or by name in `select`), not on by default.
    DEFAULT = False

    def gate(self, tree: ast.Module, text: str) -> bool:
        return has_suppression_comment(text)

    def check(self, ctx) -> Iterable[Finding]:
        return []  # see review_suppressions

    def review_suppressions(self, ctx, suppressions, ran=frozenset()) -> list[Finding]:
        return [
            finding_at_comment(
                self,
                ctx,
                suppression,
                f"`{suppression.comment}` gives no reason; say why the round trips are acceptable here, after the rule list",
            )
            for suppression in suppressions
            if not suppression.reason and not silenced_by_itself(self, suppression)
        ]
