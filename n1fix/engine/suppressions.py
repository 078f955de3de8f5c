"""`# n1fix: ignore[rule-name] reason` comments: a finding on that line is not reported.

The comment may sit on any line of the flagged expression or on the header of the loop
that makes it run per item. `# n1fix: ignore` without a rule list silences every rule.
A rule split out of another is still silenced by the older rule's name (`sequential-awaits`
on an `awaits-in-loop` finding). Only real comments count (found with `tokenize`), not the
same text inside a string.

`apply_suppressions` also says which comments silenced something, so the rules that
review suppressions (`unused-suppression`, `suppression-without-reason`) can report
the stale ones and the ones without a reason.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from n1fix.cst.text_scan import may_name_n1fix
from n1fix.rules import names_covering
from n1fix.rules.base import Finding

_COMMENT = re.compile(
    r"#\s*n1fix:\s*ignore(?:\[(?P<rules>[^\]]*)\])?(?P<reason>.*)$",
    re.IGNORECASE,
)
# What may separate the rule list from the reason: `-- reason`, `: reason`, `(reason)`.
_REASON_LEAD = " \t-:;,.—–()"


@dataclass
class Suppression:
    line: int
    column: int  # 1-based column of the comment's `#`
    end_column: int  # 1-based, exclusive
    rules: frozenset[str] | None  # None: every rule
    reason: str
    used: set[str] = field(default_factory=set)  # rules whose findings it silenced

    @property
    def comment(self) -> str:
        listed = "" if self.rules is None else "[" + ", ".join(sorted(self.rules)) + "]"
        return f"# n1fix: ignore{listed}"


# Every comment `_COMMENT` matches holds this text, in any case, so a module without it
# has no suppression and is not tokenized (a module naming n1fix elsewhere, in a comment
# or a string, is common: tokenizing pretix's 3,500-line `orders.py` cost 0.06 CPU s).
_MARKER = re.compile(r"n1fix:\s*ignore", re.IGNORECASE)


def find_suppressions(text: str) -> list[Suppression]:
    if not may_name_n1fix(text) or _MARKER.search(text) is None:
        return []
    found = []
    for line, column, comment in _comments(text):
        match = _COMMENT.search(comment)
        if match is None:
            continue
        start = column + match.start()
        listed = match.group("rules")
        rules = (
            None
            if listed is None
            else frozenset(r.strip() for r in listed.split(",") if r.strip())
        )
        reason = match.group("reason").strip(_REASON_LEAD).strip()
        found.append(
            Suppression(line, start + 1, column + len(comment) + 1, rules, reason)
        )
    return found


def _comments(text: str):
    """(line, 0-based column, text) of each comment; line by line if tokenize gives up."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = None
    if tokens is not None:
        for token in tokens:
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
        return
    for number, line in enumerate(text.splitlines(), start=1):
        position = line.find("#")
        if position >= 0:
            yield number, position, line[position:]


def apply_suppressions(
    findings: list[Finding], text: str
) -> tuple[list[Finding], list[Suppression]]:
    """The findings no comment silences, and every suppression comment with what it silenced."""
    found = find_suppressions(text)
    if not found:
        return findings, []
    by_line = {s.line: s for s in found}
    kept = []
    for finding in findings:
        lines = [
            *range(finding.line, finding.end_line + 1),
            *([finding.loop_line] if finding.loop_line else []),
        ]
        names = names_covering(finding.rule)
        silencing = [
            by_line[n]
            for n in dict.fromkeys(lines)
            if n in by_line and (by_line[n].rules is None or names & by_line[n].rules)
        ]
        if not silencing:
            kept.append(finding)
        for suppression in silencing:
            # The name it listed (`sequential-awaits` silencing an `awaits-in-loop` finding).
            suppression.used.update(
                {finding.rule}
                if suppression.rules is None
                else names & suppression.rules
            )
    return kept, found


def suppressions(text: str) -> dict[int, set[str] | None]:
    """Line number -> the rules ignored there (None: all of them)."""
    return {
        s.line: (None if s.rules is None else set(s.rules))
        for s in find_suppressions(text)
    }
