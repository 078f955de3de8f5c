"""A run against the ledger: what changed since it was written, and the ledger updated.

Entries are matched by fingerprint only; path and line are informative and follow the
run. A fix whose diff changed is a new fix (and its old entry is gone): the new diff must
be reviewed again.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ecosystem.ledger import LedgerFinding, LedgerFix, ProjectLedger
from ecosystem.model import FindingRecord, FixRecord, ProjectRun


@dataclass
class Changes:
    project: str
    new_fixes: list[FixRecord] = field(default_factory=list)
    gone_fixes: list[LedgerFix] = field(default_factory=list)
    wrong_offered: list[tuple[FixRecord, LedgerFix]] = field(default_factory=list)
    label_changes: list[tuple[FixRecord, LedgerFix]] = field(default_factory=list)
    # Offered now and not reviewed (the new ones included).
    unreviewed_fixes: list[FixRecord] = field(default_factory=list)
    # Merged, but whether the safe/unsafe label is right is not recorded.
    label_unjudged: list[FixRecord] = field(default_factory=list)
    new_findings: list[FindingRecord] = field(default_factory=list)
    gone_findings: list[LedgerFinding] = field(default_factory=list)
    finding_label_changes: list[tuple[FindingRecord, LedgerFinding]] = field(
        default_factory=list
    )
    new_errors: list[str] = field(default_factory=list)
    gone_errors: list[str] = field(default_factory=list)
    version_change: tuple[str, str] | None = None  # (ledger's, run's)

    @property
    def differs(self) -> bool:
        """Does the run give anything the ledger does not record, or not give what it does?"""
        return bool(
            self.new_fixes
            or self.gone_fixes
            or self.label_changes
            or self.new_findings
            or self.gone_findings
            or self.finding_label_changes
            or self.new_errors
            or self.gone_errors
            or self.version_change
        )

    def failures(self) -> list[str]:
        """Why `--check` fails for this project (empty: it passes)."""
        reasons = []
        if self.unreviewed_fixes:
            reasons.append(fixes(len(self.unreviewed_fixes), "unreviewed"))
        if self.label_unjudged:
            reasons.append(
                fixes(len(self.label_unjudged), "merged") + " without label-right"
            )
        if self.wrong_offered:
            reasons.append(fixes(len(self.wrong_offered), "wrong") + " still offered")
        if self.differs:
            reasons.append("the run differs from the ledger")
        return reasons


def compare(run: ProjectRun, ledger: ProjectLedger) -> Changes:
    changes = Changes(run.project)
    if ledger.version != run.version:
        changes.version_change = (ledger.version, run.version)
    known_fixes = {f.fingerprint: f for f in ledger.fixes}
    offered = {f.fingerprint for f in run.fixes}
    for fix in run.fixes:
        entry = known_fixes.get(fix.fingerprint)
        if entry is None:
            changes.new_fixes.append(fix)
            changes.unreviewed_fixes.append(fix)
            continue
        if entry.label != fix.label:
            changes.label_changes.append((fix, entry))
        if entry.verdict == "unreviewed":
            changes.unreviewed_fixes.append(fix)
        elif entry.verdict == "wrong":
            changes.wrong_offered.append((fix, entry))
        elif entry.verdict == "merge" and (
            entry.label_right is None or entry.label != fix.label
        ):
            changes.label_unjudged.append(fix)
    changes.gone_fixes = [f for f in ledger.fixes if f.fingerprint not in offered]

    known_findings = {f.fingerprint: f for f in ledger.findings}
    found = {f.fingerprint for f in run.findings}
    for finding in run.findings:
        entry = known_findings.get(finding.fingerprint)
        if entry is None:
            changes.new_findings.append(finding)
        elif entry.label != finding.label:
            changes.finding_label_changes.append((finding, entry))
    changes.gone_findings = [f for f in ledger.findings if f.fingerprint not in found]

    changes.new_errors = sorted(set(run.errors) - set(ledger.errors))
    changes.gone_errors = sorted(set(ledger.errors) - set(run.errors))
    return changes


def updated(ledger: ProjectLedger, run: ProjectRun) -> ProjectLedger:
    """The ledger for this run: new entries unreviewed, gone ones dropped, the verdicts of
    the others kept. A fix whose label changed keeps its verdict, but `label-right` must
    be judged again."""
    known_fixes = {f.fingerprint: f for f in ledger.fixes}
    fixes = []
    for fix in run.fixes:
        entry = known_fixes.get(fix.fingerprint)
        if entry is None:
            fixes.append(
                LedgerFix(fix.fingerprint, fix.rule, fix.path, fix.line, fix.label)
            )
            continue
        label_right = entry.label_right if entry.label == fix.label else None
        fixes.append(
            replace(
                entry,
                rule=fix.rule,
                path=fix.path,
                line=fix.line,
                label=fix.label,
                label_right=label_right,
            )
        )
    known_findings = {f.fingerprint: f for f in ledger.findings}
    findings = []
    for finding in run.findings:
        entry = known_findings.get(finding.fingerprint)
        if entry is None:
            findings.append(
                LedgerFinding(
                    finding.fingerprint,
                    finding.rule,
                    finding.path,
                    finding.line,
                    finding.label,
                )
            )
        else:
            findings.append(
                replace(
                    entry,
                    rule=finding.rule,
                    path=finding.path,
                    line=finding.line,
                    label=finding.label,
                )
            )
    return ProjectLedger(run.project, run.version, fixes, findings, sorted(run.errors))


def ledger_failures(ledger: ProjectLedger) -> list[str]:
    """Why `--check` fails on the ledger alone (without a run, every entry is offered)."""
    reasons = []
    unreviewed = sum(1 for f in ledger.fixes if f.verdict == "unreviewed")
    unjudged = sum(
        1 for f in ledger.fixes if f.verdict == "merge" and f.label_right is None
    )
    wrong = sum(1 for f in ledger.fixes if f.verdict == "wrong")
    if unreviewed:
        reasons.append(fixes(unreviewed, "unreviewed"))
    if unjudged:
        reasons.append(fixes(unjudged, "merged") + " without label-right")
    if wrong:
        reasons.append(fixes(wrong, "wrong") + " still offered")
    return reasons


def fixes(count: int, kind: str) -> str:
    return f"{count} {kind} fix{'es' * (count != 1)}"
