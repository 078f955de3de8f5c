"""What changed since the ledger, for a person reading the terminal."""

from __future__ import annotations

from typing import TextIO

from ecosystem.compare import Changes
from ecosystem.model import ProjectRun
from n1fix.report.wording import plural


def write_project(
    run: ProjectRun, changes: Changes | None, out: TextIO, *, diffs: bool = True
) -> None:
    if run.crashed:
        out.write(f"== {run.project} {run.version}: FAILED: {run.crashed}\n\n")
        return
    safe = sum(1 for f in run.fixes if f.label == "safe")
    out.write(
        f"== {run.project} {run.version}: {plural(run.files_checked, 'file')}, {plural(run.finding_count, 'finding')}, "
        f"{plural(len(run.fixes), 'fix', 'fixes')} ({safe} safe, {len(run.fixes) - safe} unsafe); "
        f"{run.wall_seconds:.1f} s, {run.cpu_seconds:.1f} CPU s, {run.peak_mb} MB peak\n"
    )
    if changes is None:
        return
    if changes.version_change:
        out.write(
            f"version changed: {changes.version_change[0]} -> {changes.version_change[1]}\n"
        )
    for fix in changes.new_fixes:
        out.write(
            f"new fix ({fix.label}) {fix.rule} {fix.path}:{fix.line} [{fix.fingerprint}]\n  {fix.message}\n"
        )
        if diffs:
            out.write(_indent(fix.diff))
    for entry in changes.gone_fixes:
        out.write(
            f"fix gone ({entry.verdict}) {entry.rule} {entry.path}:{entry.line} [{entry.fingerprint}]\n"
        )
    for fix, entry in changes.wrong_offered:
        out.write(
            f"WRONG fix still offered ({fix.label}) {fix.rule} {fix.path}:{fix.line} [{fix.fingerprint}]: {entry.why}\n"
        )
    for fix, entry in changes.label_changes:
        out.write(
            f"label changed {entry.label} -> {fix.label} ({entry.verdict}) {fix.rule} {fix.path}:{fix.line} "
            f"[{fix.fingerprint}]\n"
        )
    for finding in changes.new_findings:
        out.write(
            f"new finding {finding.rule} {finding.path}:{finding.line} [{finding.fingerprint}]\n  {finding.message}\n"
        )
    for entry in changes.gone_findings:
        out.write(
            f"finding gone ({entry.verdict}) {entry.rule} {entry.path}:{entry.line} [{entry.fingerprint}]\n"
        )
    for finding, entry in changes.finding_label_changes:
        out.write(
            f"finding's dropped fix changed {entry.label} -> {finding.label} {finding.rule} "
            f"{finding.path}:{finding.line} [{finding.fingerprint}]\n"
        )
    for error in changes.new_errors:
        out.write(f"new error: {error}\n")
    for error in changes.gone_errors:
        out.write(f"error gone: {error}\n")
    reviewed_left = len(changes.unreviewed_fixes) - len(changes.new_fixes)
    if reviewed_left:
        out.write(
            f"{plural(reviewed_left, 'fix', 'fixes')} in the ledger still unreviewed\n"
        )
    out.write("\n")


def _indent(text: str) -> str:
    return "".join(f"    {line}" for line in text.splitlines(keepends=True)) + (
        "" if text.endswith("\n") else "\n"
    )
