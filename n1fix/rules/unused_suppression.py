"""## What it does
Finds `# n1fix: ignore` comments that silence nothing: the finding they were written for
is gone (the code was fixed or changed), or a rule they name did not fire on that line or
its loop. Like ruff's `unused-noqa` (RUF100).

## Why is this bad?
A stale suppression hides the next real finding on that line: when someone later writes
a query in that loop, n1fix stays silent. It also tells readers a problem is there that
is not.

## Example
```python
user_ids = [user.id for user in users]
projects = session.scalars(select(Project).where(Project.user_id.in_(user_ids))).all()
for user in users:  # n1fix: ignore[query-in-loop] admin page, 3 users at most
    print(user.email)
```

## Use instead
```python
user_ids = [user.id for user in users]
projects = session.scalars(select(Project).where(Project.user_id.in_(user_ids))).all()
for user in users:
    print(user.email)
```

## Fix safety
No fix is offered: delete the comment (or the rule names the message lists) by hand.
A rule that was not selected in the run (`--select`, `--ignore`) cannot fire, so its
names are reported as silencing nothing in that run, as ruff reports non-enabled codes;
unknown rule names are reported as such.

## Known problems
A comment listing `unused-suppression` itself silences this rule on that line.
"""

from __future__ import annotations

import ast
from typing import Iterable

from n1fix.rules._base import FixAvailability, Finding, Rule, Severity
from n1fix.rules._suppression_review import finding_at_comment, has_suppression_comment, reviewing_rules, silenced_by_itself


class UnusedSuppression(Rule):
    __doc__ = __doc__
    NAME = "unused-suppression"
    MESSAGE = "Suppression comment that silences nothing"
    SEVERITY = Severity.LOW
    FIX = FixAvailability.NONE

    def gate(self, tree: ast.Module, text: str) -> bool:
        return has_suppression_comment(text)

    def check(self, ctx) -> Iterable[Finding]:
        return []  # see review_suppressions: it needs every other rule's findings first

    def review_suppressions(self, ctx, suppressions) -> list[Finding]:
        from n1fix.rules import rule_by_name

        reviewers = reviewing_rules()
        findings = []
        for suppression in suppressions:
            if silenced_by_itself(self, suppression):
                continue
            if suppression.rules is None:
                if not suppression.used:
                    findings.append(finding_at_comment(self, ctx, suppression, "`# n1fix: ignore` silences nothing here; remove it"))
                continue
            idle = sorted(name for name in suppression.rules - suppression.used if name not in reviewers)
            if not idle:
                continue
            unknown = [name for name in idle if rule_by_name(name) is None]
            names = ", ".join(f"`{name}`" for name in idle)
            if len(idle) == len(suppression.rules):
                message = f"`{suppression.comment}` silences nothing here; remove it"
            else:
                message = f"{names} in `{suppression.comment}` silence{'s' * (len(idle) == 1)} nothing here; remove {'it' if len(idle) == 1 else 'them'}"
            if unknown:
                message += f" (unknown rule{'s' * (len(unknown) != 1)}: {', '.join(unknown)}; see `n1fix rules`)"
            findings.append(finding_at_comment(self, ctx, suppression, message))
        return findings
