"""`--format markdown`: a table of findings, for a pull-request comment or a job summary
(`n1fix scan --format markdown app/ >> "$GITHUB_STEP_SUMMARY"`)."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

FIX_WORDS = {"safe": "safe fix", "unsafe": "unsafe fix", "none": "no fix"}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def write(result, out: TextIO) -> None:
    findings = result.findings
    files = len({f.path for f in findings})
    out.write("# n1fix findings\n\n")
    if not findings:
        out.write(f"No findings in {result.files_checked} file{'s' * (result.files_checked != 1)} checked.\n")
    else:
        by_fix = Counter(f.applicability.value for f in findings)
        fixes = ", ".join(f"{by_fix[k]} {FIX_WORDS[k]}" for k in ("safe", "unsafe", "none") if by_fix[k])
        out.write(
            f"{len(findings)} finding{'s' * (len(findings) != 1)} in {files} file{'s' * (files != 1)} "
            f"({result.files_checked} checked): {fixes}.\n\n"
        )
        out.write("| Location | Rule | Severity | Fix | Message |\n|---|---|---|---|---|\n")
        for f in findings:
            out.write(
                f"| `{cell(f.path)}:{f.line}:{f.column}` | `{f.rule}` | {f.severity.value} "
                f"| {FIX_WORDS[f.applicability.value]} | {cell(f.message)} |\n"
            )
    if result.errors:
        out.write("\n## Not checked\n\n")
        for error in result.errors:
            out.write(f"- {cell(error)}\n")
