"""ruff-like text: `path:line:col: rule-name message`, then a summary line."""

from __future__ import annotations

from typing import TextIO

from n1fix.rules._base import Applicability


def write(result, out: TextIO, *, unsafe_fixes: bool = False) -> None:
    for f in result.findings:
        out.write(f"{f.path}:{f.line}:{f.column}: {f.rule} {f.message}\n")
    total = len(result.findings)
    if not total:
        checked = f"{result.files_checked} file{'s' * (result.files_checked != 1)} checked"
        if result.errors:
            failed = len(result.errors)
            out.write(f"No findings ({checked}), but {failed} path{'s' * (failed != 1)} could not be checked.\n")
        else:
            out.write(f"All clear: {checked}, no findings.\n")
        return
    safe = sum(1 for f in result.findings if f.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in result.findings if f.applicability is Applicability.UNSAFE)
    line = f"Found {total} finding{'s' * (total != 1)} in {result.files_checked} file{'s' * (result.files_checked != 1)}."
    if safe:
        line += f" {safe} fixable with `n1fix apply`."
    if unsafe:
        line += f" {unsafe} more with `n1fix apply --unsafe-fixes`." if not unsafe_fixes else f" {unsafe} fixable with unsafe fixes."
    out.write(line + "\n")
