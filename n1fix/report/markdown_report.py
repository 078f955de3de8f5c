"""`--format markdown`: a table of findings, for a pull-request comment or a job summary
(`n1fix scan --format markdown app/ >> "$GITHUB_STEP_SUMMARY"`)."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from n1fix.report.summary import not_checked_line
from n1fix.report.wording import plural

FIX_WORDS = {"safe": "safe fix", "unsafe": "unsafe fix", "none": "no fix"}
# Counted in the summary line: `1 safe fix, 2 unsafe fixes, 3 with no fix`.
FIX_COUNTS = {
    "safe": lambda n: plural(n, "safe fix", "safe fixes"),
    "unsafe": lambda n: plural(n, "unsafe fix", "unsafe fixes"),
    "none": lambda n: f"{n} with no fix",
}


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def write(result, out: TextIO) -> None:
    findings = result.findings
    files = len({f.path for f in findings})
    out.write("# n1fix findings\n\n")
    if not findings:
        out.write(
            f"No findings in the {plural(result.files_checked, 'file')} checked.\n"
        )
    else:
        by_fix = Counter(f.applicability.value for f in findings)
        fixes = ", ".join(
            FIX_COUNTS[k](by_fix[k]) for k in ("safe", "unsafe", "none") if by_fix[k]
        )
        out.write(
            f"{plural(len(findings), 'finding')} in {plural(files, 'file')} "
            f"({result.files_checked} checked): {fixes}.\n\n"
        )
        out.write(
            "| Location | Rule | Severity | Fix | Message |\n|---|---|---|---|---|\n"
        )
        for f in findings:
            out.write(
                f"| `{cell(f.path)}:{f.line}:{f.column}` | `{f.rule}` | {f.severity.value} "
                f"| {FIX_WORDS[f.applicability.value]} | {cell(f.message)} |\n"
            )
    if result.errors:
        out.write(f"\n## Not checked\n\n{not_checked_line(result)}\n\n")
        for error in result.errors:
            out.write(f"- {cell(error)}\n")
