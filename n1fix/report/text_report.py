"""ruff-like text: `path:line:col: rule [*] message`, then the summary lines.

`[*]` marks a finding that `n1fix apply` fixes (a safe fix, or an unsafe one when unsafe
fixes are on), as ruff marks its fixable diagnostics. On a terminal the location, rule and
marker are coloured as ruff colours them (see `style`).
"""

from __future__ import annotations

from typing import TextIO

from n1fix.report.style import Style, color_enabled
from n1fix.report.summary import scan_lines
from n1fix.rules.base import Applicability


def write(
    result, out: TextIO, *, unsafe_fixes: bool = False, color: bool | None = None
) -> None:
    style = Style(color_enabled(out) if color is None else color)
    marked = (
        {Applicability.SAFE, Applicability.UNSAFE}
        if unsafe_fixes
        else {Applicability.SAFE}
    )
    for f in result.findings:
        marker = f"{style.fix_marker()} " if f.applicability in marked else ""
        out.write(
            f"{style.location(f.path, f.line, f.column)} {style.rule(f.rule)} {marker}{f.message}\n"
        )
    for line in scan_lines(result, unsafe_fixes=unsafe_fixes, style=style):
        out.write(line + "\n")
