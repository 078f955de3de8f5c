"""`# n1fix: ignore[rule-name] reason` comments: a finding on that line is not reported.

The comment may sit on any line of the flagged expression or on the header of the loop
that makes it run per item. `# n1fix: ignore` without a rule list silences every rule.
"""

from __future__ import annotations

import re

from n1fix.rules._base import Finding

_COMMENT = re.compile(r"#\s*n1fix:\s*ignore(?:\[(?P<rules>[\w\-,\s]+)\])?", re.IGNORECASE)


def suppressions(text: str) -> dict[int, set[str] | None]:
    """Line number -> the rules ignored there (None: all of them)."""
    found: dict[int, set[str] | None] = {}
    if "n1fix" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line:
            continue
        match = _COMMENT.search(line)
        if match is None:
            continue
        rules = match.group("rules")
        found[number] = None if rules is None else {r.strip() for r in rules.split(",") if r.strip()}
    return found


def unsuppressed(findings: list[Finding], text: str) -> list[Finding]:
    ignored = suppressions(text)
    if not ignored:
        return findings
    kept = []
    for finding in findings:
        lines = range(finding.line, finding.end_line + 1)
        lines = [*lines, *([finding.loop_line] if finding.loop_line else [])]
        if any(n in ignored and (ignored[n] is None or finding.rule in ignored[n]) for n in lines):
            continue
        kept.append(finding)
    return kept
