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
The fix deletes the comment, or only the names that silence nothing (the reason stays
with the names that remain); a line holding nothing else goes too. It is safe when n1fix
can show the comment is stale: every name it removes is unknown, or names a rule that ran
on the file and found nothing there, or one whose cheap check shows it cannot fire in this
file. A name of a rule left out of the run (`--select`, `--ignore`) is reported, as ruff
reports non-enabled codes, but its removal is only an unsafe fix: that rule may fire when
it runs.

## Known problems
A comment listing `unused-suppression` itself silences this rule on that line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterable

from n1fix.rules.base import Applicability, FixAvailability, Finding, Rule, Severity
from n1fix.rules.suppression_review import (
    finding_at_comment,
    has_suppression_comment,
    reviewing_rules,
    silenced_by_itself,
)


@dataclass(frozen=True)
class CommentEdit:
    """The codemod's plan: on `line`, the suppression spans columns [start, end) (0-based)
    and becomes `replacement`, or goes (None)."""

    line: int
    start: int
    end: int
    replacement: str | None


class UnusedSuppression(Rule):
    __doc__ = __doc__
    NAME = "unused-suppression"
    MESSAGE = "Suppression comment that silences nothing"
    SEVERITY = Severity.LOW
    FIX = FixAvailability.ALWAYS

    def gate(self, tree: ast.Module, text: str) -> bool:
        return has_suppression_comment(text)

    def check(self, ctx) -> Iterable[Finding]:
        return []  # see review_suppressions: it needs every other rule's findings first

    def review_suppressions(self, ctx, suppressions, ran=frozenset()) -> list[Finding]:
        from n1fix.rules import rule_by_name

        reviewers = reviewing_rules()
        stale = _Staleness(ctx.text, ran)
        findings = []
        for suppression in suppressions:
            if silenced_by_itself(self, suppression):
                continue
            if suppression.rules is None:
                if not suppression.used:
                    findings.append(
                        self._finding(
                            ctx,
                            suppression,
                            "`# n1fix: ignore` silences nothing here; remove it",
                            None,
                            stale.all_known(),
                        )
                    )
                continue
            idle = sorted(
                name
                for name in suppression.rules - suppression.used
                if name not in reviewers
            )
            if not idle:
                continue
            unknown = [name for name in idle if rule_by_name(name) is None]
            names = ", ".join(f"`{name}`" for name in idle)
            keep = [name for name in suppression.rules if name not in idle]
            if not keep:
                message = f"`{suppression.comment}` silences nothing here; remove it"
            else:
                message = f"{names} in `{suppression.comment}` silence{'s' * (len(idle) == 1)} nothing here; remove {'it' if len(idle) == 1 else 'them'}"
            if unknown:
                message += f" (unknown rule{'s' * (len(unknown) != 1)}: {', '.join(unknown)}; see `n1fix rules`)"
            findings.append(
                self._finding(
                    ctx,
                    suppression,
                    message,
                    keep or None,
                    all(stale.of(n) for n in idle),
                )
            )
        return findings

    def _finding(
        self,
        ctx,
        suppression,
        message: str,
        keep: list[str] | None,
        provably_stale: bool,
    ) -> Finding:
        line = ctx.text.splitlines()[suppression.line - 1]
        start, end = suppression.column - 1, suppression.end_column - 1
        replacement = None
        if keep is not None:
            comment = line[start:end]
            opening, closing = comment.index("["), comment.index("]")
            replacement = (
                comment[: opening + 1]
                + ", ".join(sorted(keep, key=comment.index))
                + comment[closing:]
            )
        finding = finding_at_comment(self, ctx, suppression, message)
        finding.plan = CommentEdit(suppression.line, start, end, replacement)
        if provably_stale:
            finding.applicability = Applicability.SAFE
        else:
            finding.applicability = Applicability.UNSAFE
            finding.fix_note = "a rule it names did not run (--select/--ignore) and may fire when it does"
        return finding


class _Staleness:
    """Whether a rule provably cannot fire on a comment: it ran and found nothing there, or
    its gate turns the file away (a gate never says no where the rule could fire)."""

    def __init__(self, text: str, ran: frozenset[str]) -> None:
        self.text, self.ran = text, ran
        self._tree = None

    def of(self, name: str) -> bool:
        """For every rule the name covers (`sequential-awaits` covers `awaits-in-loop` too)."""
        from n1fix.rules import rules_covered_by

        return all(self._of_rule(rule) for rule in rules_covered_by(name))

    def _of_rule(self, rule) -> bool:
        if rule.NAME in self.ran:
            return True
        if self._tree is None:
            try:
                self._tree = ast.parse(self.text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return False
        checker = rule()
        # A rule whose gate leaves some files to its project gate says what may fire
        # in the file alone.
        gate = getattr(checker, "gate_alone", checker.gate)
        return not gate(self._tree, self.text)

    def all_known(self) -> bool:
        from n1fix.rules import all_rules

        return all(
            self.of(rule.NAME)
            for rule in all_rules()
            if not hasattr(rule, "review_suppressions")
        )
