"""The summary lines of `scan` and `apply`, worded as ruff words them.

    Found 18 findings in 7 files (17 files checked).
    [*] 14 fixable with `n1fix apply` (3 unsafe fixes available with `n1fix apply --unsafe-fixes`).
    1 file could not be checked.

After `apply`: what changed (`path: N fixes`), how many were fixed, and what is left and why.
"""

from __future__ import annotations

from collections.abc import Sequence

from n1fix.report.style import Style
from n1fix.report.wording import fixes, joined, plural
from n1fix.rules.base import Applicability

UNSAFE_COMMAND = "`n1fix apply --unsafe-fixes`"


def scan_lines(
    result, *, unsafe_fixes: bool = False, style: Style | None = None
) -> list[str]:
    style = style or Style(False)
    findings = result.findings
    checked = plural(result.files_checked, "file")
    lines = []
    if findings:
        files = len({f.path for f in findings})
        lines.append(
            f"Found {plural(len(findings), 'finding')} in {plural(files, 'file')} ({checked} checked)."
        )
        fixable = fixable_line(findings, unsafe_fixes, style)
        if fixable:
            lines.append(fixable)
    elif result.errors:
        if result.files_checked:
            lines.append(f"No findings in the {checked} checked.")
    elif result.files_checked:
        lines.append(
            style.paint(f"All clear: {checked} checked, no findings.", "bold", "green")
        )
    unchecked = not_checked_line(result)
    if unchecked:
        lines.append(unchecked)
    return lines


def fixable_line(findings, unsafe_fixes: bool, style: Style) -> str | None:
    """`[*] N fixable with ...`, or None when no finding has a fix."""
    safe = sum(1 for f in findings if f.applicability is Applicability.SAFE)
    unsafe = sum(1 for f in findings if f.applicability is Applicability.UNSAFE)
    hidden = f"{plural(unsafe, 'unsafe fix', 'unsafe fixes')} available with {UNSAFE_COMMAND}"
    if unsafe_fixes and safe + unsafe:
        # The configuration turns unsafe fixes on: `n1fix apply` applies them too.
        note = (
            f" ({unsafe} of them unsafe, applied as `unsafe-fixes` is on)"
            if unsafe
            else ""
        )
        return f"{style.fix_marker()} {safe + unsafe} fixable with `n1fix apply`{note}."
    if safe:
        return f"{style.fix_marker()} {safe} fixable with `n1fix apply`" + (
            f" ({hidden})." if unsafe else "."
        )
    if unsafe:
        return hidden + "."
    return None


def not_checked_line(result) -> str | None:
    """`2 files and 1 path could not be checked.` (the errors name them), or None."""
    files = getattr(result, "files_failed", 0)
    paths = len(result.errors) - files  # a missing path, an unreadable directory
    parts = [plural(files, "file")] if files else []
    if paths > 0:
        parts.append(plural(paths, "path"))
    if not parts:
        return None
    return f"{joined(parts)} could not be checked."


def no_python_files(paths: Sequence[object]) -> str:
    return f"warning: no Python files found under {', '.join(str(p) for p in paths)}"


def changed_lines(written) -> list[str]:
    """One line per file written: `path: N fixes` (a file that only gained the batch
    methods that fixes elsewhere call says so)."""
    lines = []
    for change in sorted(written, key=lambda change: change.display):
        if change.applied:
            lines.append(f"{change.display}: {fixes(len(change.applied))}")
        elif not change.source.exists:
            lines.append(
                f"{change.display}: created for {fixes(len(change.companion_for))} in other files"
            )
        elif change.companion_for:
            lines.append(
                f"{change.display}: batch methods for {fixes(len(change.companion_for))} in other files"
            )
    return lines


def apply_lines(
    result, written, *, dry_run: bool, unsafe_fixes: bool, changed_on_disk: int = 0
) -> list[str]:
    """What `apply` did and what is left, and why."""
    findings = result.findings
    fixed = sum(len(change.applied) for change in written)
    unwritten = sum(
        len(change.applied) for change in result.changes if change not in written
    )
    if fixed:
        verb = "Would fix" if dry_run else "Fixed"
        line = f"{verb} {plural(fixed, 'finding')} in {plural(len(written), 'file')}"
    elif findings:
        line = "No fixes to apply" if dry_run else "No fixes applied"
    elif result.files_checked:
        line = f"Nothing to fix: no findings in the {plural(result.files_checked, 'file')} checked"
    else:
        line = ""  # no Python files: the warning says so
    if unwritten:
        line += f"; {unwritten} not written (see the errors)"
    if changed_on_disk:
        edited = plural(changed_on_disk, "file")
        line += f"; {edited} changed on disk while n1fix ran, left as edited (run n1fix again)"
    lines = [line + "."] if line else []
    left = _left(findings, fixed + unwritten, unsafe_fixes, bool(result.failures))
    if left:
        lines.append(left)
    unchecked = not_checked_line(result)
    if unchecked:
        lines.append(unchecked)
    return lines


def _left(findings, handled: int, unsafe_fixes: bool, failures: bool) -> str | None:
    """`3 findings left: 2 with no fix (...), 1 with an unsafe fix (...).`, or with one
    reason, `2 findings left with no fix (...).`"""
    no_fix = sum(1 for f in findings if f.applicability is Applicability.NONE)
    unsafe = (
        0
        if unsafe_fixes
        else sum(1 for f in findings if f.applicability is Applicability.UNSAFE)
    )
    # Findings whose fix was on offer but not applied: dropped by verification (a warning
    # says why), skipped in the interactive review, or made moot by another fix.
    other = max(0, len(findings) - handled - no_fix - unsafe)
    reasons = []
    if no_fix:
        reasons.append((no_fix, "with no fix (`n1fix scan` says why)"))
    if unsafe:
        fix, it = ("an unsafe fix", "it") if unsafe == 1 else ("unsafe fixes", "them")
        reasons.append((unsafe, f"with {fix} ({UNSAFE_COMMAND} applies {it})"))
    if other:
        fix = "whose fix was" if other == 1 else "whose fixes were"
        reasons.append(
            (other, f"{fix} not applied" + (" (see the warnings)" if failures else ""))
        )
    total = sum(count for count, _ in reasons)
    if not total:
        return None
    if len(reasons) == 1:
        return f"{plural(total, 'finding')} left {reasons[0][1]}."
    return f"{plural(total, 'finding')} left: {', '.join(f'{count} {why}' for count, why in reasons)}."
