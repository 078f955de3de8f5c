"""`--statistics`: one line per rule with its count, most frequent first (as ruff does),
then the summary lines.

    13  query-in-loop       [*] Query run once per item of a loop

`[*]` marks rules with findings that `n1fix apply` fixes (safe fixes).
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from n1fix.report.summary import not_checked_line, scan_lines
from n1fix.report.wording import plural
from n1fix.rules import rule_by_name
from n1fix.rules.base import Applicability


def write(result, out: TextIO, *, unsafe_fixes: bool = False) -> None:
    findings = result.findings
    if not findings:
        if result.files_checked or result.errors:
            out.write(
                f"No findings to count in the {plural(result.files_checked, 'file')} checked.\n"
            )
        unchecked = not_checked_line(result)
        if unchecked:
            out.write(unchecked + "\n")
        return
    counts = Counter(f.rule for f in findings)
    fixable = {f.rule for f in findings if f.applicability is Applicability.SAFE}
    width = max((len(name) for name in counts), default=0)
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = rule_by_name(name)
        message = rule.MESSAGE if rule is not None else ""
        mark = "[*]" if name in fixable else "   "
        out.write(f"{count:>5}  {name:<{width}} {mark} {message}\n")
    for line in scan_lines(result, unsafe_fixes=unsafe_fixes):
        out.write(line + "\n")
